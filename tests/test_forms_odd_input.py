"""No form of the portal answers a 500 to odd input. Every POST form of every page the demo person
can open (tests/support/page_walk.py: 70 forms) is sent with each field in turn set to "³" (a digit
to ``str.isdigit()`` that ``int()`` refuses, and no address for ``next``), the others empty, then
with every field a NUL. Written after a walk like this found 500s on every action page (``next``) and
on the alert policy form (a duration of "³"); a new form is covered without being named here.
"""

import uuid

import pytest

from tests.support.page_walk import demo_pages, post_forms

pytestmark = pytest.mark.django_db(transaction=True)


def bodies(names: list[str]):
    blank = dict.fromkeys(names, "")
    for name in names:
        yield {**blank, name: "³"}
    yield dict.fromkeys(names, "x\x00")


def test_no_form_answers_a_500_to_odd_input(simulator, clc_settings):
    client, pages = demo_pages(simulator)
    sent, failures = set(), []
    for path, _route in pages:
        for action, names in post_forms(client.get(path).content.decode()):
            target = action or path
            if target in sent or target.startswith("/logout/"):
                continue
            sent.add(target)
            for body in bodies(names):
                if "idempotency_key" in names:
                    body["idempotency_key"] = str(uuid.uuid4())
                sent_fields = sorted(k for k, v in body.items() if v)
                try:
                    status = client.post(target, body).status_code
                except Exception as exc:  # the test client raises what the view raised
                    failures.append(f"{target} {sent_fields}: {exc!r}"[:300])
                    continue
                if status >= 500:
                    failures.append(f"{target} {sent_fields}: {status}")
    assert len(sent) >= 60, sorted(sent)
    assert not failures, "\n".join(failures)
