import yaml  # noqa: F401  (drf-spectacular depends on PyYAML)


def test_the_openapi_schema_describes_every_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/videos/",
        "/api/v1/videos/{id}/",
        "/api/v1/videos/{id}/extend/",
        "/api/v1/videos/{id}/lineage/",
        "/api/v1/videos/{id}/refresh/",
        "/api/v1/quota/",
        "/api/v1/auth/token/",
    } <= paths
    created = schema["paths"]["/api/v1/videos/"]["post"]["responses"]
    assert {"202", "400", "401", "429"} <= set(created)
    assert not any(p.startswith("/webhooks/") for p in paths)


def test_the_api_docs_page_loads_its_scripts_locally(client):
    page = client.get("/api/docs/").content.decode()

    assert "redoc" in page.lower()
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page
