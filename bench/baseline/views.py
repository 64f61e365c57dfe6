"""The baselines: the least DRF can do for a submit (insert a row) and a webhook (update one)."""

from django.utils import timezone
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Row


class InsertView(APIView):
    """POST /bench/insert/: token-authenticated like the API, inserts one row, answers 201."""

    def post(self, request):
        row = Row.objects.create(owner=request.user, payload=request.data)
        return Response({"id": row.pk, "state": row.state}, status=201)


class UpdateView(APIView):
    """POST /bench/update/<pk>/: no auth like the webhook, updates one row by primary key."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    def post(self, request, pk):
        changed = Row.objects.filter(pk=pk).update(
            state="completed", payload=request.data, updated_at=timezone.now()
        )
        return Response({"status": "applied" if changed else "ignored"})
