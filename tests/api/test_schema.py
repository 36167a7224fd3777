def test_openapi_schema_lists_the_paths(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) >= {
        "/api/v1/clients",
        "/api/v1/clients/{client_id}",
        "/api/v1/courses/{course_id}",
        "/api/v1/courses/{course_id}/effect",
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}/measures",
    }
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_docs_page_is_served_with_local_assets(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
    assert b"cdn.jsdelivr" not in response.content
