"""API rate limits: per token, per client address, and on the account pages; counted in the
database so two workers share them; 429 problem+json with Retry-After; time moved, not slept.

Two portals (two workers) over one fresh database per backend, with small limits."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jsonschema_rs
import pytest
from flask import Flask
from flask_babel import gettext, ngettext
from flask_migrate import upgrade
from limits.storage import RedisStorage
from sqlalchemy import func, select, update

from deploy.local.redis import LocalRedis
from rris.accounts.models.accounts import ApiToken, User
from rris.accounts.services.accounts import ResetLinks, password_reset_token
from rris.accounts.services.api_tokens import create_api_token
from rris.api.openapi import openapi_document
from rris.common.models.rate_limits import RateLimitWindow
from rris.common.services.rate_limit_failover import RECHECK_SECONDS, FailoverRedisStorage
from rris.common.services.rate_limit_storage import DatabaseStorage, purge_ended_windows
from rris.common.services.transactions import begin_write
from rris.extensions import db
from rris.portal import create_portal
from rris.timeutil import FrozenClock
from tests import factories
from tests.conftest import BACKENDS, DEFAULT_NOW, Browser, settings_for_test
from tests.support.sql_statements import transactions_writing
from tests.support.web_fixtures import empty_database

PER_TOKEN, PER_ADDRESS, ACCOUNT_PER_HOUR = 3, 10, 2
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Workers:
    first: Flask
    second: Flask
    clock: FrozenClock
    tokens: tuple[str, str]
    email: str


@pytest.fixture(scope="module", params=BACKENDS)
def workers(request: pytest.FixtureRequest, tmp_path_factory, smtp_server) -> Iterator[Workers]:
    """Two portals on one migrated database, one clock, Jelena with two API tokens."""
    base = tmp_path_factory.mktemp("limits")
    settings = settings_for_test(base, empty_database(request, base, request.param), smtp_server[1]).replace(
        rate_limit_per_token=PER_TOKEN, rate_limit_per_address=PER_ADDRESS, rate_limit_account_per_hour=ACCOUNT_PER_HOUR
    )
    clock = FrozenClock(DEFAULT_NOW)
    first, second = create_portal(settings, clock=clock), create_portal(settings, clock=clock)
    with first.app_context():
        upgrade()
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example")
        db.session.commit()
        tokens = (create_api_token(jelena, "one", DEFAULT_NOW)[1], create_api_token(jelena, "two", DEFAULT_NOW)[1])
    yield Workers(first, second, clock, tokens, "jelena@mup.rs.example")
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def scene(workers: Workers) -> Workers:
    """Every test starts with no request counted, at DEFAULT_NOW."""
    workers.clock.set(DEFAULT_NOW)
    with workers.first.app_context():
        workers.first.extensions["rris.limiter"].reset()
    return workers


def _me(app: Flask, token: str | None = None, **headers: str):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return app.test_client().get("/api/v1/me", headers=headers)


def _expected(app: Flask, locale: str, singular: str, plural: str, seconds: int) -> tuple[str, str]:
    with app.test_request_context(headers={"Accept-Language": locale}):
        return gettext("Too Many Requests"), ngettext(singular, plural, seconds)


TOKEN_MESSAGE = (
    "Too many requests with this API token. Try again in %(num)d second.",
    "Too many requests with this API token. Try again in %(num)d seconds.",
)
ADDRESS_MESSAGE = (
    "Too many requests from this network address. Try again in %(num)d second.",
    "Too many requests from this network address. Try again in %(num)d seconds.",
)


def test_the_request_after_a_tokens_limit_gets_429_problem_with_retry_after_in_its_language(scene):
    token = scene.tokens[0]
    remaining = [_me(scene.first, token).headers["RateLimit-Remaining"] for _ in range(PER_TOKEN)]
    assert remaining == ["2", "1", "0"]
    scene.clock.advance(timedelta(seconds=20))
    refused = _me(scene.first, token, **{"Accept-Language": "sq"})
    assert refused.status_code == 429
    assert refused.mimetype == PROBLEM_JSON
    assert refused.headers["Retry-After"] == "40"
    assert refused.headers["RateLimit-Limit"] == str(PER_TOKEN)
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit-Reset"] == "40"
    title, detail = _expected(scene.first, "sq", *TOKEN_MESSAGE, 40)
    assert "40" in detail and detail != TOKEN_MESSAGE[1] % {"num": 40}  # really Albanian
    assert refused.get_json() == {"type": "about:blank", "title": title, "status": 429, "detail": detail}
    english = _me(scene.first, token).get_json()
    assert english["title"] == "Too Many Requests"
    assert english["detail"] == "Too many requests with this API token. Try again in 40 seconds."


def test_two_workers_on_one_database_share_the_count(scene):
    token = scene.tokens[0]
    answers = [_me(app, token).status_code for app in (scene.first, scene.second, scene.first, scene.second)]
    assert answers == [200, 200, 200, 429]
    assert _me(scene.first, token).status_code == 429


def _window_hits(app: Flask) -> list[int]:
    """The hits of every window, as another worker reads them: what was committed."""
    with app.app_context():
        return sorted(db.session.scalars(select(RateLimitWindow.hits)))


def test_a_request_counts_its_token_and_its_address_in_one_write_transaction(scene):
    """Each write transaction queues on SQLite's one write lock: an API request's two limits share one."""
    with scene.first.app_context():
        engine = db.engine
    token = scene.tokens[0]
    for _ in range(PER_TOKEN):
        _me(scene.first, token)
    with transactions_writing(RateLimitWindow.__tablename__, engine) as admitted:
        answer = _me(scene.first, token)
    assert answer.status_code == 429
    assert len(admitted) == 1
    # The refused hit stays counted in the token's window; the address's is not asked once that refused.
    assert _window_hits(scene.second) == [PER_TOKEN, PER_TOKEN + 1]
    scene.clock.advance(timedelta(seconds=60))
    with transactions_writing(RateLimitWindow.__tablename__, engine) as admitted:
        answer = _me(scene.first, token)
    assert answer.status_code == 200 and answer.headers["RateLimit-Remaining"] == str(PER_TOKEN - 1)
    assert len(admitted) == 1
    assert _window_hits(scene.second) == [1, 1]


def test_a_write_between_two_hits_of_one_check_leaves_both_counted(scene):
    """Loading the caller between two limits may record its token's use, committing on its way."""
    storage = scene.first.extensions["rris.limiter"].storage
    with scene.first.app_context(), storage.counting_together():
        assert storage.incr("rris/caller", 60) == 1
        begin_write()
        db.session.execute(update(ApiToken).values(last_used_at=DEFAULT_NOW))
        db.session.commit()
        assert storage.incr("rris/address", 60) == 1
        assert storage.incr("rris/address", 60) == 2
    assert _window_hits(scene.second) == [1, 2]


def test_each_token_has_its_own_budget(scene):
    first, second = scene.tokens
    assert [_me(scene.first, first).status_code for _ in range(PER_TOKEN + 1)] == [200] * PER_TOKEN + [429]
    assert _me(scene.second, second).status_code == 200
    assert _me(scene.second, second).headers["RateLimit-Remaining"] == str(PER_TOKEN - 2)


def test_the_limit_resets_when_its_window_ends(scene):
    token = scene.tokens[0]
    for _ in range(PER_TOKEN):
        _me(scene.first, token)
    assert _me(scene.first, token).status_code == 429
    scene.clock.advance(timedelta(seconds=59))
    assert _me(scene.first, token).status_code == 429
    scene.clock.advance(timedelta(seconds=1))
    again = _me(scene.second, token)
    assert again.status_code == 200
    assert again.headers["RateLimit-Remaining"] == str(PER_TOKEN - 1)
    assert again.headers["RateLimit-Reset"] == "60"


def test_one_address_is_limited_whoever_calls_and_x_forwarded_for_does_not_change_it(scene):
    """Without a trusted proxy the header is the client's own word: ignored."""
    answers = [
        _me(scene.first, **{"X-Forwarded-For": f"203.0.113.{number}"}).status_code for number in range(PER_ADDRESS)
    ]
    assert answers == [401] * PER_ADDRESS  # unauthenticated requests count against the address too
    refused = _me(scene.second, scene.tokens[1], **{"X-Forwarded-For": "198.51.100.7"})
    assert refused.status_code == 429
    assert refused.get_json()["detail"] == ADDRESS_MESSAGE[1] % {"num": 60}
    assert refused.headers["Retry-After"] == "60"


def test_behind_one_trusted_proxy_the_address_is_the_one_the_proxy_saw(scene):
    behind_proxy = create_portal(scene.first.extensions["rris.settings"].replace(trusted_proxies=1), clock=scene.clock)
    # The proxy appends the address it saw; whatever the client wrote stays to its left.
    spoofed = [
        _me(behind_proxy, **{"X-Forwarded-For": f"10.9.9.{number}, 192.0.2.50"}).status_code
        for number in range(PER_ADDRESS)
    ]
    assert spoofed == [401] * PER_ADDRESS
    assert _me(behind_proxy, **{"X-Forwarded-For": "10.9.9.99, 192.0.2.50"}).status_code == 429
    assert _me(behind_proxy, **{"X-Forwarded-For": "192.0.2.51"}).status_code == 401  # another client


def test_a_burst_from_eight_threads_never_admits_more_than_the_limit(scene):
    token, start, statuses = scene.tokens[0], threading.Barrier(8), Counter[int]()
    lock = threading.Lock()

    def burst(app: Flask) -> None:
        client = app.test_client()
        start.wait()
        for _ in range(3):
            status = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=burst, args=(app,)) for app in (scene.first, scene.second) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == {200: PER_TOKEN, 429: 24 - PER_TOKEN}


def test_password_reset_requests_are_limited_per_address_on_the_page(scene, mailbox):
    browser = Browser(scene.first.test_client())
    for _ in range(ACCOUNT_PER_HOUR):
        assert browser.submit("/password/forgot", {"email": scene.email}).status_code == 302
    refused = browser.submit("/password/forgot", {"email": scene.email})
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"
    assert refused.headers["Retry-After"] == "3600"
    assert "Too many requests from this network address. Try again in 3600 seconds." in refused.get_data(as_text=True)
    assert len(mailbox.messages) == ACCOUNT_PER_HOUR
    assert browser.get("/password/forgot").status_code == 200  # the page itself still opens


def test_invitation_links_are_tried_no_more_often_than_reset_links(scene):
    with scene.first.app_context():
        jelena = db.session.scalar(select(User).where(User.email == scene.email))
        links = ResetLinks.for_invitations(scene.first.extensions["rris.settings"])
        token = password_reset_token(jelena, DEFAULT_NOW, links)
    browser, link = Browser(scene.first.test_client()), f"/invitation/{token}"
    for _ in range(ACCOUNT_PER_HOUR):
        assert browser.submit(link, {"password": "short", "confirm": "short"}).status_code == 422
    assert browser.submit(link, {"password": "short", "confirm": "short"}).status_code == 429


def test_windows_that_have_ended_are_purged_and_live_ones_kept(scene):
    _me(scene.first, scene.tokens[0])
    scene.clock.advance(timedelta(seconds=30))
    _me(scene.first, scene.tokens[1])
    with scene.first.app_context():
        count = select(func.count()).select_from(RateLimitWindow)
        assert db.session.scalar(count) == 3  # each token's window and the address's
        purged = purge_ended_windows((DEFAULT_NOW + timedelta(seconds=60)).timestamp())
        db.session.commit()
        assert purged == 2  # the first token's, and the address's, which began with it
        assert db.session.scalar(count) == 1


def test_a_browser_using_the_api_is_limited_per_account(scene):
    browser = Browser(scene.first.test_client())
    assert browser.sign_in(scene.email, factories.PASSWORD).status_code == 302
    answers = [browser.client.get("/api/v1/me").status_code for _ in range(PER_TOKEN + 1)]
    assert answers == [200] * PER_TOKEN + [429]
    refused = browser.client.get("/api/v1/me")
    assert refused.get_json()["detail"] == "Too many requests from this account. Try again in 60 seconds."


def test_the_document_gives_every_operation_its_429_and_the_server_answers_as_it_says(scene):
    document = openapi_document()
    answers = document["components"]["responses"]["TooManyRequests"]
    assert answers["headers"]["Retry-After"]["required"] is True
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert operation["responses"]["429"] == {"$ref": "#/components/responses/TooManyRequests"}, (method, path)
    schema = answers["content"]["application/problem+json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
    for _ in range(PER_TOKEN):
        _me(scene.first, scene.tokens[0])
    refused = _me(scene.first, scene.tokens[0])
    assert refused.status_code == 429 and validator.is_valid(refused.get_json())


@pytest.fixture
def redis_url(redis_server: LocalRedis) -> str:
    """A private redis-server's URL (make test installs redis-server; without it the test errors)."""
    return redis_server.url


def test_a_redis_url_makes_the_limiter_count_in_redis(scene):
    """The configuration path alone, without a server: nothing connects until a request counts."""
    settings = scene.first.extensions["rris.settings"].replace(rate_limit_storage="redis://127.0.0.1:1/0")
    app = create_portal(settings, clock=scene.clock)
    storage = app.extensions["rris.limiter"].storage
    assert isinstance(storage, FailoverRedisStorage) and isinstance(storage.redis, RedisStorage)
    assert isinstance(scene.first.extensions["rris.limiter"].storage, DatabaseStorage)


def test_two_workers_sharing_one_redis_share_the_count(scene, redis_url):
    settings = scene.first.extensions["rris.settings"].replace(rate_limit_storage=redis_url)
    clock = FrozenClock(datetime.now(UTC))  # Redis expires keys by its own clock
    first, second = create_portal(settings, clock=clock), create_portal(settings, clock=clock)
    token = scene.tokens[0]
    answers = [_me(app, token) for app in (first, second, first, second)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    with scene.first.app_context():
        assert db.session.scalar(select(func.count()).select_from(RateLimitWindow)) == 0  # not in the database


def test_with_redis_down_each_worker_limits_in_its_memory_and_counts_in_redis_again_once_it_is_back(
    scene, redis_server, caplog
):
    """A security control that fails every request when its counter is away would take the portal
    down with Redis: it fails open to a per-process limit, logged, and recovers by itself."""
    settings = scene.first.extensions["rris.settings"].replace(rate_limit_storage=redis_server.url)
    clock = FrozenClock(datetime.now(UTC))  # Redis expires keys by its own clock
    first, second = create_portal(settings, clock=clock), create_portal(settings, clock=clock)
    token = scene.tokens[0]
    assert _me(first, token).status_code == 200  # counted in Redis

    port = redis_server.port
    redis_server.stop()
    caplog.set_level("WARNING", logger="rris.common.services.rate_limit_failover")
    down = [_me(first, token) for _ in range(PER_TOKEN + 1)]
    assert [answer.status_code for answer in down] == [200] * PER_TOKEN + [429]  # still limited, in memory
    assert down[-1].mimetype == PROBLEM_JSON and 1 <= int(down[-1].headers["Retry-After"]) <= 60
    assert _me(second, token).status_code == 200  # each worker counts on its own meanwhile
    form = Browser(first.test_client())
    sent = [form.submit("/password/forgot", {"email": scene.email}).status_code for _ in range(ACCOUNT_PER_HOUR + 1)]
    assert sent[-1] == 429 and 429 not in sent[:-1]  # the account pages too
    gone = [record for record in caplog.records if "cannot be reached" in record.getMessage()]
    assert len(gone) == 2 and {record.levelname for record in gone} == {"ERROR"}  # once per worker, not per request

    redis_server.start(port)  # back where it was, empty
    assert _me(first, token).status_code == 429  # not looked at again before RECHECK_SECONDS
    clock.advance(timedelta(seconds=RECHECK_SECONDS))
    back = _me(first, token)
    assert back.status_code == 200 and back.headers["RateLimit-Remaining"] == str(PER_TOKEN - 1)  # Redis's count
    assert any("answers again" in record.getMessage() for record in caplog.records)
    shared = [_me(app, token).status_code for app in (second, first, second)]
    assert shared == [200, 200, 429]  # second looks too, and both count in Redis again
    assert first.extensions["rris.limiter"].storage.redis.get_connection().dbsize() > 0
