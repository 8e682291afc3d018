"""The e-mail we build reads, in every mail client, as it was written: a long Kazakh or Russian subject keeps every
space between its words wherever the header is folded (found by the return-cycle browser journey of issue 15)."""

from __future__ import annotations

import email
import email.header
import email.policy
import io
from email.generator import BytesGenerator

from association.core.mail import build_message

WORDS = ("Әл-Фараби атындағы Қазақ ұлттық университетінің кітапханасы кітапханасының 2024 жылдық есебі: түзетуге "
         "қайтарылды Годовой отчёт библиотеки возвращён на исправление").split()


def _sent(message) -> bytes:
    """The bytes smtplib's send_message writes (a BytesGenerator on the message's policy, CRLF lines)."""
    out = io.BytesIO()
    BytesGenerator(out, policy=message.policy.clone(linesep="\r\n")).flatten(message)
    return out.getvalue()


def test_a_long_subject_keeps_every_space_wherever_it_is_folded(app):
    subjects = [" ".join(WORDS[(i * 7 + n) % len(WORDS)] for i in range(n)) for n in range(1, 60)]
    with app.app_context():
        for subject in subjects:
            raw = _sent(build_message("rep@example.org", subject, "Құрметті әріптестер"))
            header_lines = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
            assert max(len(line) for line in header_lines) <= 78
            modern = email.message_from_bytes(raw, policy=email.policy.default)["Subject"]
            legacy = email.message_from_bytes(raw)["Subject"]
            assert modern == subject
            assert str(email.header.make_header(email.header.decode_header(legacy))) == subject


def test_an_ascii_subject_and_the_body_are_as_before(app):
    with app.app_context():
        message = build_message("rep@example.org", "Annual return 2024 of NU: accepted", "Дорогие коллеги")
        parsed = email.message_from_bytes(_sent(message), policy=email.policy.default)
    assert parsed["Subject"] == "Annual return 2024 of NU: accepted"
    assert parsed.get_content().rstrip() == "Дорогие коллеги"
