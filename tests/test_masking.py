"""Masking personal data in public text (gongzhi.core.masking; issue 13, item 5): every way a
resident writes a mobile, a landline, an ID number or an e-mail address, masked in place with the
rest of the text as written; ordinary numbers (amounts, dates, rooms, hotlines) left alone.
Pure: no database."""

from __future__ import annotations

import pytest

from gongzhi.core.masking import find_personal_data, mask_personal_data

NBSP, IDEO = "\u00a0", "\u3000"

# (what a resident wrote, what the public sees, the kind found)
MASKED = [
    # mobiles
    ("电话13812345678", "电话138****5678", "mobile"),
    ("138 1234 5678", "138 **** 5678", "mobile"),
    ("138-1234-5678", "138-****-5678", "mobile"),
    ("138.1234.5678", "138.****.5678", "mobile"),
    ("138 - 1234 - 5678", "138 - **** - 5678", "mobile"),
    ("1381 2345 678", "138* ***5 678", "mobile"),
    ("+86 138 1234 5678", "+86 138 **** 5678", "mobile"),
    ("+8613812345678", "+86138****5678", "mobile"),
    ("8613812345678", "86138****5678", "mobile"),
    ("86-13812345678", "86-138****5678", "mobile"),
    ("0086 13812345678", "0086 138****5678", "mobile"),
    ("(+86)13812345678", "(+86)138****5678", "mobile"),
    ("１３８１２３４５６７８", "１３８****５６７８", "mobile"),
    ("１３８－１２３４－５６７８", "１３８－****－５６７８", "mobile"),
    ("＋８６　１３８１２３４５６７８", "＋８６　１３８****５６７８", "mobile"),
    (f"138{NBSP}1234{NBSP}5678", f"138{NBSP}****{NBSP}5678", "mobile"),
    (f"138{IDEO}1234{IDEO}5678", f"138{IDEO}****{IDEO}5678", "mobile"),
    ("138/1234/5678", "138/****/5678", "mobile"),
    ("电话:13812345678。", "电话:138****5678。", "mobile"),
    # landlines
    ("0571-88886666", "0571-****6666", "landline"),
    ("(0571) 8888 8888", "(0571) **** 8888", "landline"),
    ("（0571）88888888", "（0571）****8888", "landline"),
    ("0571 88888888", "0571 ****8888", "landline"),
    ("0571-88888888-123", "0571-****8888-123", "landline"),
    ("0571-88888888转123", "0571-****8888转123", "landline"),
    ("010-6552 9988", "010-**** 9988", "landline"),
    ("021 5555 6666 ext 12", "021 **** 6666 ext 12", "landline"),
    ("0571-8888888", "0571-***8888", "landline"),
    ("０５７１－８８８８６６６６", "０５７１－****６６６６", "landline"),
    # resident ID numbers
    ("身份证330106199001011234", "身份证330106********1234", "id"),
    ("330106 19900101 1234", "330106 ******** 1234", "id"),
    ("330106-1990-0101-123X", "330106-****-****-123X", "id"),
    ("33010619900101123x", "330106********123x", "id"),
    ("3301 0619 9001 0112 34", "3301 06** **** **12 34", "id"),
    ("330106900101123", "330106******123", "id"),
    ("330106 900101 123", "330106 ****** 123", "id"),
    ("３３０１０６１９９００１０１１２３４", "３３０１０６********１２３４", "id"),
    # e-mail addresses
    ("zhang.san@example.com", "z***@example.com", "email"),
    ("邮箱：ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ谢谢", "邮箱：ｚ***＠ｅｘａｍｐｌｅ．ｃｏｍ谢谢", "email"),
    ("a@b.cn", "a***@b.cn", "email"),
    ("13812345678@163.com", "1***@163.com", "email"),
    ("联系 Li_Wei+renewal@mail.example.org.cn 即可", "联系 L***@mail.example.org.cn 即可", "email"),
]

UNCHANGED = [
    "2026-12-06",
    "2026.03.05-2027.12.31",
    "2026/12/06 08:30",
    "11幢1单元1101",
    "¥12,345.00",
    "共12345678元",
    "预算 1,380,000.00 元",
    "热线12345",
    "400-800-8888",
    "95598",
    "版本 1.2.3.4",
    "192.168.1.100",
    "订单号20261206123456",  # 14 digits: no ID, no phone
    "第3期共5部电梯，总价1380000元",
    "房号 1301 1302 1303 1304",
    "",
]


@pytest.mark.parametrize(("written", "shown", "kind"), MASKED)
def test_masked(written: str, shown: str, kind: str) -> None:
    assert mask_personal_data(written) == shown
    assert [f.kind for f in find_personal_data(written)] == [kind]


@pytest.mark.parametrize("text", UNCHANGED)
def test_ordinary_numbers_stay(text: str) -> None:
    assert mask_personal_data(text) == text
    assert find_personal_data(text) == []


def test_at_least_thirty_formats() -> None:
    assert len(MASKED) >= 30
    assert len(MASKED) + len(UNCHANGED) >= 50


def test_the_rest_of_the_text_is_kept_as_written() -> None:
    """Only the hidden characters change: full-width punctuation, letters and spacing elsewhere stay
    as the resident typed them (the NFKC form is used for finding, never returned)."""
    text = "（急）ＡＢＣ小区３幢：请联系王先生１３８　１２３４　５６７８，或邮件 wang@example.com ！金额¥12,345.00。"
    out = mask_personal_data(text)
    assert out == "（急）ＡＢＣ小区３幢：请联系王先生１３８　****　５６７８，或邮件 w***@example.com ！金额¥12,345.00。"
    assert len(out) == len(text) - len("ang") + len("***")


def test_several_in_one_text_and_spans() -> None:
    text = "13812345678 13987654321；座机0571-88886666；身份证330106199001011234；13812345678 1101室"
    assert mask_personal_data(text) == (
        "138****5678 139****4321；座机0571-****6666；身份证330106********1234；138****5678 1101室"
    )
    found = find_personal_data(text)
    assert [f.kind for f in found] == ["id", "mobile", "mobile", "mobile", "landline"]
    assert all(text[f.start : f.end].strip() for f in found)
    assert text[found[0].start : found[0].end] == "330106199001011234"


def test_a_date_in_an_id_shaped_number_is_checked() -> None:
    """A 15-digit run whose birth date is impossible is not an ID: here a mobile and a room."""
    assert mask_personal_data("138123456781101") == "138123456781101"  # neither: one run of 15 digits
    assert mask_personal_data("13812345678 1101") == "138****5678 1101"


def test_long_hostile_input_keeps_its_length_and_masks_nothing_made_up() -> None:
    """Long runs of digits, separators or address-like text come back whole (the time they take is
    measured in bench/bench_masking.py, not here: a timed test fails when the machine is busy)."""
    for text in ("1 " * 20000, "1-" * 20000 + "x", "a@" + "b-" * 5000, "a." * 10000 + "@x", "１" * 30000):
        masked = mask_personal_data(text)
        assert len(masked) == len(text)
        assert masked.replace("*", "") == "".join(c for c, m in zip(text, masked, strict=True) if m != "*")
