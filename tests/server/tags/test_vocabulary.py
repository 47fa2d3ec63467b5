"""The closed vocabulary: read from CSV with reasons, set by the CLI and the admin's API, and the
only words a report may carry (a sentence, tried as a new user would, is refused by name)."""

from __future__ import annotations

import json
import uuid

import pytest

from server.cli import main as cli_main
from server.errors import InvalidInput
from server.settings import PROJECT_ROOT
from server.tags.vocabulary import UnknownTag, check_tags, read_vocabulary_csv
from tests.conftest import add_user, bearer

EXAMPLE = PROJECT_ROOT / "data" / "tags.csv"


def test_the_example_vocabulary_reads():
    tags = read_vocabulary_csv(EXAMPLE.read_bytes())
    assert len(tags) == 10 and tags[0].tag == "logement" and tags[0].label_en == "Housing"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("name,label\nx,y\n", "missing column(s) tag, label_fr, label_en"),
        ("tag,label_fr,label_en\nLogement,Logement,Housing\n", "line 2: tag 'Logement'"),
        ("tag,label_fr,label_en\nresident at no 12 refused,a,b\n", "tag 'resident at no 12 refused'"),
        ("tag,label_fr,label_en\nsante,Santé,\n", "needs label_fr and label_en"),
        ("tag;label_fr;label_en\nsante;Santé;Health\nsante;Santé;Health\n", "line 3: tag 'sante' appears twice"),
    ],
)
def test_bad_vocabulary_files_are_refused_with_the_line(text, reason):
    with pytest.raises(InvalidInput, match=None) as err:
        read_vocabulary_csv(text.encode(), "tags.csv")
    assert reason in err.value.detail


def test_check_tags_names_the_first_unknown_tag():
    assert check_tags(["a", "b", "a"], {"a", "b"}) == ["a", "b"]
    with pytest.raises(UnknownTag) as err:
        check_tags(["a", "votes Y"], {"a"})
    assert err.value.extra == {"tag": "votes Y"}
    with pytest.raises(InvalidInput):
        check_tags(["a"] * 21, {"a"})


def test_tags_set_by_the_cli_replaces_the_vocabulary(database_url, capsys, tmp_path):
    slug = "tags-" + uuid.uuid4().hex[:8]
    assert cli_main(["campaign", "create", slug, "--name", "Tags"]) == 0
    assert cli_main(["tags", "set", "--campaign", slug, "--file", str(EXAMPLE)]) == 0
    capsys.readouterr()
    smaller = tmp_path / "tags.csv"
    smaller.write_text("tag,label_fr,label_en\nlogement,Le logement,Housing\nparcs,Parcs,Parks\n", encoding="utf-8")
    assert cli_main(["tags", "set", "--campaign", slug, "--file", str(smaller)]) == 0
    assert json.loads(capsys.readouterr().out) == {"campaign": slug, "tags": 2, "removed": 9}
    assert cli_main(["tags", "list", "--campaign", slug]) == 0
    listed = json.loads(capsys.readouterr().out)["tags"]
    assert listed == [
        {"tag": "logement", "label_fr": "Le logement", "label_en": "Housing"},
        {"tag": "parcs", "label_fr": "Parcs", "label_en": "Parks"},
    ]
    smaller.write_text("tag,label_fr,label_en\nLogement!,x,y\n", encoding="utf-8")
    assert cli_main(["tags", "set", "--campaign", slug, "--file", str(smaller)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 2: tag 'Logement!'" in err
    assert cli_main(["tags", "list", "--campaign", slug]) == 0
    assert len(json.loads(capsys.readouterr().out)["tags"]) == 2  # unchanged by the refused file


async def test_admin_sets_the_vocabulary_and_reports_keep_to_it(client, pool, campaign):
    slug = campaign["slug"]
    admin, vol = await add_user(pool, slug, "admin"), await add_user(pool, slug, "volunteer")
    body = {"tags": [{"tag": "logement", "label_fr": "Logement", "label_en": "Housing"}]}
    assert (await client.put(f"/api/campaigns/{slug}/tags", json=body, headers=bearer(vol["token"]))).status_code == 403
    r = await client.put(f"/api/campaigns/{slug}/tags", json=body, headers=bearer(admin["token"]))
    assert r.status_code == 200 and r.json() == {"tags": 1, "removed": 0}
    got = (await client.get(f"/api/campaigns/{slug}/tags", headers=bearer(vol["token"]))).json()
    assert [t["tag"] for t in got["tags"]] == ["logement"] and got["support_levels"] == [1, 2, 3, 4, 5]
    bad = await client.put(
        f"/api/campaigns/{slug}/tags",
        headers=bearer(admin["token"]),
        json={"tags": [{"tag": "M. X vote Y", "label_fr": "a", "label_en": "b"}]},
    )
    assert bad.status_code == 422 and bad.json()["tag"] == "M. X vote Y"

    report = {"doors_knocked": 5, "doors_opened": 2, "contacts": 0}
    r = await client.post(
        f"/api/campaigns/{slug}/reports",
        headers=bearer(vol["token"]),
        json={**report, "tags": ["resident at no 12 refused"]},
    )
    assert r.status_code == 422
    assert r.json()["tag"] == "resident at no 12 refused" and "not in this campaign's vocabulary" in r.json()["detail"]
    async with pool.acquire() as c:
        assert await c.fetchval("SELECT count(*) FROM tour_reports WHERE campaign_id = $1", campaign["id"]) == 0
    r = await client.post(
        f"/api/campaigns/{slug}/reports", headers=bearer(vol["token"]), json={**report, "tags": ["logement"]}
    )
    assert r.status_code == 201 and r.json()["report"]["tags"] == ["logement"]
