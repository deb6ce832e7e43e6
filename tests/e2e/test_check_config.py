"""--check-config with --web.config.file: the web config is loaded as start-up would load it (YAML, TLS certificate,
key and client CA, bcrypt hashes); exit 0 when valid, 1 with a message naming the file and the key."""
import os
import shutil
import subprocess
import time

import pytest

from conftest import binary_path
from test_web_security import HASH, USER, pki  # noqa: F401  (pki: the module-scoped certificate fixture)

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")

GOOD_MAPPING = "mappings:\n- match: app.*.hits\n  name: hits\n  labels:\n    app: $1\n"


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def check(*args):
    return subprocess.run([binary_path(), "--check-config", *args], capture_output=True, text=True, timeout=30)


def check_web(pki, text):
    """--check-config on a web config with `text`, written next to the certificates (relative paths resolve there)."""
    path = write(pki, "web-%d.yml" % time.monotonic_ns(), text)
    return path, check("--web.config.file=" + path)


TLS = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
MTLS = TLS + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  min_version: TLS13\n"


def test_valid_web_config_with_tls_mtls_and_users(pki):
    path, r = check_web(pki, MTLS + "basic_auth_users:\n  %s: %s\n" % (USER, HASH))
    assert r.returncode == 0, r.stderr
    assert "Web config %s is valid" % path in r.stdout
    assert "TLS (" in r.stdout and "RequireAndVerifyClientCert" in r.stdout and "TLS13" in r.stdout
    assert "basic auth for 1 user(s)" in r.stdout
    assert r.stderr == ""


def test_valid_mapping_and_web_config_are_both_reported(pki, tmp_path):
    mapping = write(str(tmp_path), "mapping.yml", GOOD_MAPPING)
    web = write(str(tmp_path), "web.yml", "basic_auth_users:\n  %s: %s\n" % (USER, HASH))
    r = check("--statsd.mapping-config=" + mapping, "--web.config.file=" + web)
    assert r.returncode == 0, r.stderr
    assert "Mapping config %s is valid: 1 mapping rule(s)" % mapping in r.stdout
    assert "Web config %s is valid: no TLS, basic auth for 1 user(s)" % web in r.stdout


def test_invalid_web_config_fails_even_with_a_valid_mapping(pki, tmp_path):
    mapping = write(str(tmp_path), "mapping.yml", GOOD_MAPPING)
    web = write(str(tmp_path), "web.yml", "basic_auth_users:\n  %s: plaintext\n" % USER)
    r = check("--statsd.mapping-config=" + mapping, "--web.config.file=" + web)
    assert r.returncode == 1
    assert "Mapping config %s is valid" % mapping in r.stdout
    assert "Web config %s is invalid: basic_auth_users.%s: not a bcrypt hash" % (web, USER) in r.stderr


@pytest.mark.parametrize("text, message", [
    ("tls_server_config: [unclosed", "not valid YAML"),
    ("http_server_config:\n  http2: true\n", "unknown or unsupported key http_server_config"),
    ("tls_server_config:\n  key_file: server.key\n", "tls_server_config.cert_file is required"),
    (TLS + "  client_auth_type: RequireAnyClientCert\n", "tls_server_config.client_auth_type: RequireAnyClientCert"),
    (TLS + "  client_auth_type: VerifyClientCertIfGiven\n", "tls_server_config.client_ca_file is required"),
    (TLS + "  min_version: TLS14\n", "tls_server_config.min_version: TLS14"),
], ids=["yaml", "unknown-key", "no-cert-file", "client-auth-type", "no-client-ca", "min-version"])
def test_invalid_structure_names_the_key(pki, text, message):
    path, r = check_web(pki, text)
    assert r.returncode == 1, r.stdout
    assert "Web config %s is invalid: " % path in r.stderr and message in r.stderr, r.stderr


@pytest.mark.parametrize("cert, key, ca, message", [
    ("missing.crt", "server.key", None, "tls_server_config.cert_file: {pki}/missing.crt does not exist"),
    ("garbage.pem", "server.key", None, "tls_server_config.cert_file: cannot load {pki}/garbage.pem"),
    (".", "server.key", None, "tls_server_config.cert_file: {pki}/. is not a readable file"),
    ("server.crt", "missing.key", None, "tls_server_config.key_file: {pki}/missing.key does not exist"),
    ("server.crt", "garbage.pem", None, "tls_server_config.key_file: cannot load {pki}/garbage.pem"),
    ("server.crt", "client.key", None, "cannot use cert_file {pki}/server.crt with key_file {pki}/client.key"),
    ("server.crt", "server.key", "missing-ca.crt", "tls_server_config.client_ca_file: {pki}/missing-ca.crt does not exist"),
    ("server.crt", "server.key", "garbage.pem", "tls_server_config.client_ca_file: cannot load {pki}/garbage.pem"),
], ids=["cert-missing", "cert-garbage", "cert-directory", "key-missing", "key-garbage", "key-mismatch", "ca-missing", "ca-garbage"])
def test_unusable_tls_files_name_the_key_and_file(pki, cert, key, ca, message):
    write(pki, "garbage.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")
    text = "tls_server_config:\n  cert_file: %s\n  key_file: %s\n" % (cert, key)
    if ca:
        text += "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: %s\n" % ca
    path, r = check_web(pki, text)
    assert r.returncode == 1, r.stdout
    assert "Web config %s is invalid: " % path in r.stderr
    assert message.format(pki=pki) in r.stderr, r.stderr


@pytest.mark.parametrize("hash_, message", [
    ("plaintext", "not a bcrypt hash"),
    ("$1$abcdefgh$abcdefghijklmnopqrstuv", "not a bcrypt hash"),
    (HASH[:-1], "a bcrypt hash has 60 characters, this one 59"),
    (HASH[:4] + "99" + HASH[6:], "the bcrypt cost must be two digits from 04 to 31"),
    (HASH[:-1] + "!", "the bcrypt salt and hash may contain only ./A-Za-z0-9"),
], ids=["plaintext", "md5-crypt", "short", "cost", "alphabet"])
def test_malformed_bcrypt_hash_names_the_user(pki, hash_, message):
    path, r = check_web(pki, "basic_auth_users:\n  alice: %s\n  %s: '%s'\n" % (HASH, USER, hash_))
    assert r.returncode == 1, r.stdout
    assert "Web config %s is invalid: basic_auth_users.%s: %s" % (path, USER, message) in r.stderr, r.stderr


def test_unreadable_web_config_file(tmp_path):
    path = str(tmp_path / "missing-web.yml")
    r = check("--web.config.file=" + path)
    assert r.returncode == 1
    assert "Web config %s is invalid: cannot read the file" % path in r.stderr


def test_nothing_to_check_says_so():
    r = check()
    assert r.returncode == 0
    assert "nothing to check" in r.stdout


def test_start_up_error_names_the_file_and_key(pki):
    path = write(pki, "web-start-%d.yml" % time.monotonic_ns(), "tls_server_config:\n  cert_file: server.crt\n"
                 "  key_file: client.key\n")
    r = subprocess.run([binary_path(), "--web.config.file=" + path, "--web.listen-address=127.0.0.1:0",
                        "--statsd.listen-udp=", "--statsd.listen-tcp="], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert path in r.stderr and "key_file" in r.stderr, r.stderr
