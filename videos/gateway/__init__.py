"""A drop-in AceDataCloud Luma endpoint: /luma/videos and /luma/tasks for users' own tokens.

Clients written for AceDataCloud (luma-pro-cli, the acedatacloud SDK, adc, scripts) point
their base URL at this site and use a personal Luma Studio token. Every call goes through
videos.services, so quota, history and lineage are the site's own; the site's AceDataCloud
token and upstream ids never leave the server.
"""
