"""The agent's transport settings: TLS with AIGOV_TLS_CA and the bearer
token of AIGOV_TOKEN.

aigovd itself serves plaintext gRPC and reads no token (the README's
"Transport": a TLS-terminating proxy goes in front of it), so aigovd cannot
answer over TLS here. This test stands up a gRPC server of the project's own
RegistryService stubs with a throwaway CA (openssl) to check what the agent
sends: that it verifies aigovd's certificate against the CA it is given and
that the token goes out as `authorization: Bearer`."""

import concurrent.futures
import subprocess

import grpc
import pytest

import aigov_agent as aigov
from aigov_agent._pb.aigov.v1 import registry_service_pb2 as pb
from aigov_agent._pb.aigov.v1 import registry_service_pb2_grpc as pbg


def make_ca(d, name):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", d / f"{name}.key", "-out", d / f"{name}.pem",
                    "-days", "2", "-subj", f"/CN={name}"], check=True,
                   capture_output=True)


@pytest.fixture
def tls_server(tmp_path):
    make_ca(tmp_path, "ca")
    make_ca(tmp_path, "other-ca")
    (tmp_path / "san.cnf").write_text(
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", tmp_path / "server.key", "-out",
                    tmp_path / "server.csr", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", tmp_path / "server.csr",
                    "-CA", tmp_path / "ca.pem", "-CAkey", tmp_path / "ca.key",
                    "-CAcreateserial", "-out", tmp_path / "server.pem",
                    "-days", "2", "-extfile", tmp_path / "san.cnf"],
                   check=True, capture_output=True)
    seen = []

    class Registry(pbg.RegistryServiceServicer):
        def RegisterAiSystem(self, request, context):  # noqa: N802
            seen.append((dict(context.invocation_metadata()),
                         request.ai_system.system_id))
            return pb.RegisterAiSystemResponse(sequence=7)

    server = grpc.server(concurrent.futures.ThreadPoolExecutor(2))
    pbg.add_RegistryServiceServicer_to_server(Registry(), server)
    creds = grpc.ssl_server_credentials([(
        (tmp_path / "server.key").read_bytes(),
        (tmp_path / "server.pem").read_bytes())])
    port = server.add_secure_port("127.0.0.1:0", creds)
    server.start()
    yield f"127.0.0.1:{port}", tmp_path, seen
    server.stop(None)


def test_tls_with_the_ca_and_the_bearer_token(tls_server, monkeypatch):
    target, d, seen = tls_server
    monkeypatch.setenv("AIGOV_TLS_CA", str(d / "ca.pem"))
    monkeypatch.setenv("AIGOV_TOKEN", "t0k3n")
    with aigov.Client(target, retries=0, timeout=5) as c:
        assert c.register_system("loans", name="over TLS") == 7
    assert seen == [(seen[0][0], "loans")]
    assert seen[0][0]["authorization"] == "Bearer t0k3n"


def test_tls_refuses_a_certificate_of_another_ca(tls_server):
    target, d, seen = tls_server
    with aigov.Client(target, tls_ca=str(d / "other-ca.pem"), retries=0,
                      timeout=5) as c:
        with pytest.raises(aigov.AigovError) as e:
            c.register_system("loans", name="x")
    assert e.value.code == grpc.StatusCode.UNAVAILABLE
    with aigov.Client(target, tls_ca="", retries=0, timeout=5) as c:
        with pytest.raises(aigov.AigovError):  # plaintext to a TLS port
            c.register_system("loans", name="x")
    assert seen == []
