"""A small OpenID Connect provider for tests, served over HTTP on 127.0.0.1 from a thread.

It publishes a discovery document and its JWKS, answers the authorize endpoint with a redirect
carrying a code, and the token endpoint with an ID token signed by an RSA key generated for
the test run (checking client authentication, the redirect URI and the PKCE verifier). It signs
with joserfc, the JOSE library the portal verifies with, so no JOSE code is written twice. It can
misbehave on request (`tamper`): wrong nonce, bad signature, expired token, wrong audience,
wrong issuer, no ID number, `alg` "none", HS256 keyed with the public key, a wrong `at_hash`, and
(`token_answer`) a token endpoint answering something other than a token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import secrets
import threading
import time
import urllib.parse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

_KEY = None


def _rsa_key():
    global _KEY
    if _KEY is None:  # 2048-bit generation takes a moment: once per test run
        _KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEY


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadedServer(WSGIServer):
    daemon_threads = True


class FakeProvider:
    client_id = "motcua-portal"
    client_secret = "fake-secret-for-tests"

    def __init__(self):
        self.key = _rsa_key()
        self.kid = "fake-key-1"
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.claims = {
            "sub": "vneid-0001",
            "id_number": "096090001234",
            "name": "Nguyễn Văn An",
            "birthdate": "1990-03-15",
            "phone_number": "0987654321",
            "email": "an.nguyen@example.vn",
        }
        self.userinfo_claims: dict = {}
        self.tamper: str | None = None
        self.token_answer: tuple[str, bytes] | None = None  # (status, body) instead of a token
        self.token_auth = "client_secret_basic"
        self.token_requests: list[dict] = []
        self.authorize_requests: list[dict] = []
        self.jwks_fetches = 0
        self.server = make_server("127.0.0.1", 0, self.app, server_class=_ThreadedServer, handler_class=_Quiet)
        self.port = self.server.server_port
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- HTTP ------------------------------------------------------------------------------------

    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        try:
            if path == "/.well-known/openid-configuration":
                return self._json(start_response, self.discovery())
            if path == "/jwks":
                self.jwks_fetches += 1
                return self._json(start_response, self.jwks())
            if path == "/authorize":
                return self._authorize(environ, start_response)
            if path == "/token" and environ["REQUEST_METHOD"] == "POST":
                return self._token(environ, start_response)
            if path == "/userinfo":
                return self._userinfo(environ, start_response)
        except Exception as exc:  # make a broken test visible
            return self._json(start_response, {"error": "server_error", "detail": repr(exc)}, "500 Error")
        return self._json(start_response, {"error": "not_found"}, "404 Not Found")

    def _json(self, start_response, body, status="200 OK", headers=()):
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers])
        return [data]

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwk(self, key=None) -> RSAKey:
        return RSAKey.import_key(key or self.key, parameters={"kid": self.kid, "use": "sig", "alg": "RS256"})

    def jwks(self) -> dict:
        return {"keys": [self.jwk().as_dict(private=False)]}

    def rotate(self) -> None:
        """A new signing key under a new `kid`; the old one is no longer published."""
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = f"fake-key-{secrets.token_hex(4)}"

    def _authorize(self, environ, start_response):
        q = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        assert q.get("response_type") == "code", q
        assert q.get("client_id") == self.client_id, q
        assert q.get("code_challenge_method") == "S256", q
        assert "openid" in q.get("scope", "").split(), q
        self.authorize_requests.append(q)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"redirect_uri": q["redirect_uri"], "nonce": q.get("nonce"),
                            "challenge": q["code_challenge"], "used": False}
        target = f"{q['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': q.get('state', '')})}"
        start_response("302 Found", [("Location", target), ("Content-Length", "0")])
        return [b""]

    def _token(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = dict(urllib.parse.parse_qsl(environ["wsgi.input"].read(length).decode()))
        self.token_requests.append(form)
        auth = environ.get("HTTP_AUTHORIZATION", "")
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if self.token_auth == "client_secret_post":
            authenticated = not auth and (form.get("client_id"), form.get("client_secret")) == (
                self.client_id, self.client_secret)
        else:
            authenticated = auth == f"Basic {expected}" and "client_secret" not in form
        if not authenticated:
            return self._json(start_response, {"error": "invalid_client"}, "401 Unauthorized")
        grant = self.codes.get(form.get("code", ""))
        if grant is None or grant["used"] or grant["redirect_uri"] != form.get("redirect_uri"):
            return self._json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return self._json(start_response, {"error": "invalid_grant", "error_description": "PKCE"},
                              "400 Bad Request")
        grant["used"] = True
        if self.token_answer is not None:
            status, body = self.token_answer
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        access = secrets.token_urlsafe(16)
        self.tokens[access] = dict(self.claims)
        return self._json(start_response, {
            "access_token": access, "token_type": "Bearer", "expires_in": 300,
            "id_token": self.id_token(grant["nonce"], access),
        })

    def _userinfo(self, environ, start_response):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        claims = self.tokens.get(auth.removeprefix("Bearer "))
        if claims is None:
            return self._json(start_response, {"error": "invalid_token"}, "401 Unauthorized")
        return self._json(start_response, {"sub": claims["sub"], **self.userinfo_claims})

    # --- ID tokens -------------------------------------------------------------------------------

    def id_token(self, nonce: str | None, access_token: str = "") -> str:
        now = int(time.time())
        claims = {**self.claims, "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": nonce}
        if access_token:  # at_hash: the left half of SHA-256 of the access token (OIDC Core 3.1.3.6)
            claims["at_hash"] = _b64(hashlib.sha256(access_token.encode()).digest()[:16])
        key, header = self.jwk(), {"alg": "RS256", "kid": self.kid}
        if self.tamper == "nonce":
            claims["nonce"] = "a-nonce-from-another-sign-in"
        elif self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif self.tamper == "audience":
            claims["aud"] = "another-client"
        elif self.tamper == "issuer":
            claims["iss"] = "https://evil.example"
        elif self.tamper == "no_id_number":
            claims.pop("id_number", None)
        elif self.tamper == "at_hash":
            claims["at_hash"] = _b64(hashlib.sha256(b"another access token").digest()[:16])
        elif self.tamper == "audiences":  # another audience too, and no azp naming us
            claims["aud"] = [self.client_id, "another-client"]
        elif self.tamper == "expired_within_leeway":
            claims["iat"], claims["exp"] = now - 330, now - 30
        elif self.tamper == "signature":  # same kid, wrong key
            key = self.jwk(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        elif self.tamper == "unpublished_key":  # a kid the JWK set never names
            key = self.jwk(rsa.generate_private_key(public_exponent=65537, key_size=2048))
            header["kid"] = "never-published"
        if self.tamper == "alg_none":
            return _unsigned({"alg": "none", "kid": self.kid}, claims) + "."
        if self.tamper == "hs256_public_key":  # the classic confusion: HMAC keyed with the published key
            signing_input = _unsigned({"alg": "HS256", "kid": self.kid}, claims)
            secret = self.jwk().as_pem(private=False)
            return f"{signing_input}.{_b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"
        return jwt.encode(header, claims, key)

    # --- the browser's part ----------------------------------------------------------------------

    def authorize(self, url: str) -> str:
        """Follow the portal's redirect to the authorize endpoint (as a browser would); the redirect back."""
        parts = urllib.parse.urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == self.issuer, url
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        try:
            conn.request("GET", f"{parts.path}?{parts.query}")
            response = conn.getresponse()
            response.read()
            assert response.status == 302, response.status
            return response.getheader("Location")
        finally:
            conn.close()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unsigned(header: dict, claims: dict) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
