"""HMAC-SHA512 signing as VNPay 2.1.0 documents it, checked against values computed here by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.payments import signing

SECRET = "FIXEDSECRET0123456789ABCDEFGHIJK"
# The parameters of VNPay's documented sample payment URL (pay.html, version 2.1.0).
PARAMS = {
    "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "DEMOV210", "vnp_Amount": "1806000",
    "vnp_CurrCode": "VND", "vnp_TxnRef": "5", "vnp_OrderInfo": "Thanh toan don hang :5", "vnp_OrderType": "other",
    "vnp_Locale": "vn", "vnp_ReturnUrl": "https://domainmerchant.vn/ReturnUrl", "vnp_IpAddr": "127.0.0.1",
    "vnp_CreateDate": "20210801153333",
}
# Sorted by name, form-encoded (space "+", ":" and "/" escaped): the sample URL's query, as published.
CANONICAL = (
    "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND&vnp_IpAddr=127.0.0.1"
    "&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other"
    "&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
)
EXPECTED = hmac.new(SECRET.encode(), CANONICAL.encode(), hashlib.sha512).hexdigest()


def test_it_builds_the_documented_canonical_string():
    assert signing.canonical(PARAMS) == CANONICAL


def test_it_signs_with_hmac_sha512_over_the_sorted_query():
    assert signing.sign(PARAMS, SECRET) == EXPECTED
    assert len(EXPECTED) == 128
    assert signing.signed_query(PARAMS, SECRET) == f"{CANONICAL}&vnp_SecureHash={EXPECTED}"


def test_it_leaves_hash_fields_and_foreign_parameters_out():
    noisy = {**PARAMS, "vnp_SecureHash": "x", "vnp_SecureHashType": "HmacSHA512", "utm_source": "mail", "vnp_Bank": ""}
    assert signing.canonical(noisy) == CANONICAL


def test_it_verifies_and_rejects():
    good = {**PARAMS, "vnp_SecureHash": EXPECTED}
    assert signing.verify(good, SECRET)
    assert signing.verify({**good, "vnp_SecureHash": EXPECTED.upper()}, SECRET)  # some gateways send upper case
    assert not signing.verify({**good, "vnp_Amount": "1806100"}, SECRET)  # tampered amount
    assert not signing.verify({**good, "vnp_TxnRef": "6"}, SECRET)  # another order
    assert not signing.verify(good, "another-secret")
    assert not signing.verify(PARAMS, SECRET)  # no hash
    assert not signing.verify({**good, "vnp_SecureHash": EXPECTED[:-1]}, SECRET)
    assert not signing.verify({**good, "vnp_SecureHash": ""}, SECRET)


def test_it_accepts_empty_values_signed_either_way():
    params = {**PARAMS, "vnp_BankCode": ""}
    with_empty = CANONICAL.replace("&vnp_Command", "&vnp_BankCode=&vnp_Command")
    digest = hmac.new(SECRET.encode(), with_empty.encode(), hashlib.sha512).hexdigest()
    assert signing.verify({**params, "vnp_SecureHash": digest}, SECRET)
    assert signing.verify({**params, "vnp_SecureHash": EXPECTED}, SECRET)


def test_it_encodes_like_php_urlencode():
    assert signing.encode("Hồ sơ ~*'") == "H%E1%BB%93+s%C6%A1+%7E%2A%27"
    assert signing.encode("a-b_c.d") == "a-b_c.d"


def test_it_hashes_querydr_fields_joined_with_pipes():
    values = ["req1", "2.1.0", "querydr", "DEMOV210", "5", "20210801153333", "20210801160000", "127.0.0.1", "Truy van",
              None]
    data = "req1|2.1.0|querydr|DEMOV210|5|20210801153333|20210801160000|127.0.0.1|Truy van|"
    assert signing.pipe_data(values) == data
    assert signing.pipe_hash(SECRET, values) == hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()


def test_it_writes_times_in_vietnamese_time():
    instant = dt.datetime(2026, 11, 27, 18, 30, 5, tzinfo=dt.UTC)
    assert signing.vn_time(instant) == "20261128013005"
    assert signing.parse_vn_time("20261128013005") == instant
    assert signing.parse_vn_time("2026-11-28") is None
    with pytest.raises(ValueError):
        signing.vn_time(dt.datetime(2026, 11, 27, 18, 30))


def test_it_builds_the_vnpay_payment_url(db, people, copy_dossier, settings):
    from motcua.payments import services
    from motcua.payments.providers.vnpay import VnpayConfig, VnpayProvider

    settings.MOTCUA_PAYMENT_PROVIDER = "vnpay"
    settings.MOTCUA_PAYMENT_GATEWAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    now = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)  # 10:00 in Vietnam
    payment = services.start_payment(copy_dossier, actor=people.citizen, client_ip="203.0.113.9", now=now)
    url = urlsplit(payment.redirect_url)
    assert (url.scheme, url.netloc, url.path) == ("https", "sandbox.vnpayment.vn", "/paymentv2/vpcpay.html")
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    assert query == {
        "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "MOTCUA01", "vnp_Amount": "800000",
        "vnp_CurrCode": "VND", "vnp_TxnRef": payment.merchant_ref,
        "vnp_OrderInfo": f"Thanh toan phi le phi ho so {copy_dossier.code} giao dich {payment.merchant_ref}",
        "vnp_OrderType": "other", "vnp_Locale": "vn", "vnp_ReturnUrl": "http://testserver/thanh-toan/ket-qua/vnpay/",
        "vnp_IpAddr": "203.0.113.9", "vnp_CreateDate": "20261127100000", "vnp_ExpireDate": "20261127101500",
        "vnp_SecureHash": query["vnp_SecureHash"],
    }
    # The signed string is the URL's own query up to the hash: recompute it independently.
    signed_part = url.query.rsplit("&vnp_SecureHash=", 1)[0]
    assert query["vnp_SecureHash"] == hmac.new(
        b"motcua-test-secret-0123456789", signed_part.encode(), hashlib.sha512
    ).hexdigest()
    assert list(dict(parse_qsl(signed_part))) == sorted(dict(parse_qsl(signed_part)))
    # A provider without a secret refuses to work rather than sign with a guessable one.
    settings.MOTCUA_PAYMENT_HASH_SECRET = ""
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        VnpayProvider.from_settings()
    assert VnpayProvider(VnpayConfig("T", "s", "https://g/", "https://q/")).name == "vnpay"
