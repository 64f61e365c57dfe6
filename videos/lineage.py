"""A video's family tree, loaded with one query on root_id."""

from .models import Video


def family(video: Video) -> list[Video]:
    root_id = video.root_id or video.pk
    return list(
        Video.objects.filter(owner_id=video.owner_id, root_id=root_id).order_by("created_at")
    )


def tree(video: Video) -> dict:
    """Return {"root": node, "count": n}; each node has its children, oldest first."""
    members = family(video)
    nodes = {}
    for member in members:
        nodes[member.pk] = {
            "id": member.pk,
            "state": member.state,
            "action": member.action,
            "prompt": member.prompt,
            "depth": member.depth,
            "parent": member.parent_id,
            "video_id": member.video_id,
            "video_url": member.playback_url,
            "thumbnail_url": member.poster_url,
            "created_at": member.created_at,
            "is_current": member.pk == video.pk,
            "deleted": member.is_deleted,
            "children": [],
        }
    root = None
    for member in members:
        node = nodes[member.pk]
        parent = nodes.get(member.parent_id)
        if parent is not None:
            parent["children"].append(node)
        elif root is None or member.pk == member.root_id:
            root = node
    return {"root": root, "count": len(members)}
