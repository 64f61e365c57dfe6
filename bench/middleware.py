import time

from django.db import connection


def count_queries(get_response):
    """Add X-Queries (count) and X-Query-Ms (their time) when asked (X-Count-Queries: 1)."""

    def middleware(request):
        if request.headers.get("X-Count-Queries") != "1":
            return get_response(request)
        timings = []

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append(time.perf_counter() - started)

        with connection.execute_wrapper(timed):
            response = get_response(request)
            if hasattr(response, "render"):
                response.render()
        response["X-Queries"] = str(len(timings))
        response["X-Query-Ms"] = f"{sum(timings) * 1000:.2f}"
        return response

    return middleware
