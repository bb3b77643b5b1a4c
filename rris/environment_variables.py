"""Every `RRIS_*` variable RRIS reads: its name, its default (as text) and what it does.

The README's configuration table lists exactly these (a test checks); `rris.settings` reads and
validates them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, default (as text) and what it does."""

    name: str
    default: str
    help: str


# How long after a session's end its interpreter still sees the case reference and notes.
DEFAULT_CASE_DETAILS_HOURS = 2
MAX_CASE_DETAILS_HOURS = 72

VARIABLES: tuple[Variable, ...] = (
    Variable("RRIS_ENV", "development", "development, test or production; production refuses unsafe defaults"),
    Variable(
        "RRIS_INSTANCE_PATH", "instance/", "folder for the SQLite database, the development secret key and saved mail"
    ),
    Variable(
        "RRIS_DATABASE_URL",
        "sqlite:///instance/rris.sqlite3",
        "SQLAlchemy URL of the database: sqlite:///... or postgresql+psycopg://...",
    ),
    Variable(
        "RRIS_SECRET_KEY",
        "(generated into instance/ outside production)",
        "key that signs sessions, CSRF and reset tokens; required in production",
    ),
    Variable(
        "RRIS_APPLICANT_KEY_SECRET",
        "(generated into instance/ outside production)",
        "pool secret that keys the hash of applicants' regional identifiers; required in production, "
        "never the same as RRIS_SECRET_KEY",
    ),
    Variable(
        "RRIS_APPLICANT_KEY_VERSION",
        "1",
        "version of RRIS_APPLICANT_KEY_SECRET; raise it whenever that secret changes",
    ),
    Variable(
        "RRIS_APPLICANT_KEY_RETIRED",
        "(empty)",
        "comma-separated VERSION:SECRET of earlier applicant key secrets, still matched during a rotation",
    ),
    Variable("RRIS_HOST", "127.0.0.1", "address the portal and signaling listen on"),
    Variable("RRIS_PORT", "5000", "portal port"),
    Variable("RRIS_SIGNALING_PORT", "8765", "signaling (WebSocket) port"),
    Variable("RRIS_PUBLIC_URL", "http://127.0.0.1:<RRIS_PORT>", "the portal's public base URL, used in emailed links"),
    Variable(
        "RRIS_SIGNALING_PUBLIC_URL",
        "ws://127.0.0.1:<RRIS_SIGNALING_PORT>",
        "base URL browsers open the signaling WebSocket on (wss:// behind a TLS proxy)",
    ),
    Variable(
        "RRIS_SIGNALING_REDIS_URL",
        "(empty)",
        "redis://, rediss:// or redis+unix:// URL the signalling nodes share rooms and used tickets through; "
        "empty: one node, rooms in its memory",
    ),
    Variable(
        "RRIS_SIGNALING_NODE_ID",
        "(host name, process id, random tail)",
        "this signalling node's name among the nodes sharing RRIS_SIGNALING_REDIS_URL; unique per running node",
    ),
    Variable(
        "RRIS_STUN_URLS", "(empty)", "comma-separated stun: URLs of your own STUN servers; never a public default"
    ),
    Variable("RRIS_TURN_URLS", "(empty)", "comma-separated turn:/turns: URLs of your own coturn"),
    Variable(
        "RRIS_TURN_SECRET", "(empty)", "coturn's static-auth-secret; time-limited TURN credentials derive from it"
    ),
    Variable("RRIS_SMTP_HOST", "(empty: mail is saved to instance/mail/)", "SMTP server for outgoing mail"),
    Variable("RRIS_SMTP_PORT", "25", "SMTP port"),
    Variable("RRIS_SMTP_USERNAME", "(empty)", "SMTP login, when the server wants one"),
    Variable("RRIS_SMTP_PASSWORD", "(empty)", "SMTP password"),
    Variable("RRIS_SMTP_STARTTLS", "false", "upgrade the SMTP connection with STARTTLS"),
    Variable("RRIS_MAIL_FROM", "RRIS <no-reply@rris.localhost>", "sender of every message"),
    Variable("RRIS_SESSION_HOURS", "12", "longest a sign-in lasts"),
    Variable("RRIS_SESSION_IDLE_MINUTES", "120", "a session unused this long is ended"),
    Variable("RRIS_SECURE_COOKIES", "true in production, else false", "send cookies only over HTTPS"),
    Variable(
        "RRIS_LOGIN_MAX_FAILURES",
        "5",
        "failed sign-ins per account within the window before it is throttled (passwords and second-step codes counted apart)",
    ),
    Variable("RRIS_LOGIN_MAX_FAILURES_PER_IP", "30", "failed sign-ins per client address within the window"),
    Variable("RRIS_LOGIN_WINDOW_MINUTES", "15", "the window the two limits above count in"),
    Variable(
        "RRIS_SECOND_FACTOR_KEY",
        "(generated into instance/ outside production)",
        "key that encrypts authenticator-app secrets at rest and peppers recovery codes; required in "
        "production, never the same as RRIS_SECRET_KEY (changing it voids every enrolled authenticator app)",
    ),
    Variable(
        "RRIS_WEBAUTHN_RP_ID",
        "the host name of RRIS_PUBLIC_URL",
        "relying-party id of passkeys: a domain name (browsers refuse IP addresses), the public URL's host "
        "or a parent domain of it",
    ),
    Variable("RRIS_PASSWORD_RESET_MINUTES", "60", "how long an emailed reset link works"),
    Variable(
        "RRIS_RATE_LIMIT_PER_TOKEN",
        "120",
        "API requests per minute of one API token (of one account, for a browser using the API)",
    ),
    Variable("RRIS_RATE_LIMIT_PER_ADDRESS", "300", "API requests per minute from one client address, all callers"),
    Variable(
        "RRIS_RATE_LIMIT_ACCOUNT_PER_HOUR",
        "20",
        "password-reset requests, reset- and invitation-link submissions and new API tokens per client address per hour",
    ),
    Variable(
        "RRIS_RATE_LIMIT_STORAGE",
        "database",
        "where the rate limits count: database (shared by every worker on it) or a redis://, rediss:// "
        "or redis+unix:// URL",
    ),
    Variable(
        "RRIS_TRUSTED_PROXIES",
        "0",
        "how many reverse proxies in front of the portal append to X-Forwarded-For; the client address is "
        "read that many entries from the right (0: the header is ignored)",
    ),
    Variable(
        "RRIS_INVITATION_HOURS",
        "72",
        "how long the link of an invitation to a new account works; a new invitation voids the last one",
    ),
    Variable("RRIS_OFFER_WAVE_SIZE", "3", "how many interpreters get an offer at once, per wave"),
    Variable("RRIS_OFFER_MINUTES", "30", "how long an offer stands before the next wave goes out"),
    Variable(
        "RRIS_PRESENCE_HEARTBEAT_SECONDS",
        "10",
        "seconds between the heartbeats of an interpreter's live page; after two missed she is no longer rung",
    ),
    Variable(
        "RRIS_ONDEMAND_RINGS_AT_ONCE", "3", "how many interpreters ring at once for one request of an interpreter now"
    ),
    Variable("RRIS_ONDEMAND_RING_SECONDS", "30", "seconds a ring lasts unanswered before the next interpreter is rung"),
    Variable(
        "RRIS_ONDEMAND_MAX_MINUTES",
        "60",
        "longest on-demand call (5 to 480): what an answered call holds in the interpreter's calendar until "
        "she hangs up",
    ),
    Variable(
        "RRIS_ONDEMAND_JOIN_MINUTES",
        "3",
        "minutes (1 to 60) an answered on-demand call may wait for the officer and the interpreter to be "
        "connected; then the system ends it as a technical failure and frees the interpreter",
    ),
    Variable(
        "RRIS_ONDEMAND_WAIT_SAMPLE",
        "20",
        "how many recent answers of a language pair the expected wait is the median of",
    ),
    Variable(
        "RRIS_ONDEMAND_PUSH_MS",
        "100",
        "how often (20 to 1000 ms) the signalling service looks for changes to push to the live on-demand "
        "pages: rings, their end, availability, a request's status (on PostgreSQL also at once when a change "
        "is committed)",
    ),
    Variable(
        "RRIS_ONDEMAND_PHONE_AFTER_SECONDS",
        "60",
        "seconds an on-demand request waits unanswered before the phones of on-call interpreters are called "
        "(0 to 3600; 0: never)",
    ),
    Variable("RRIS_TWILIO_ACCOUNT_SID", "(empty: SMS are saved to instance/sms/)", "Twilio account for SMS and calls"),
    Variable("RRIS_TWILIO_AUTH_TOKEN", "(empty)", "Twilio auth token; also checks webhook signatures"),
    Variable("RRIS_TWILIO_FROM", "(empty)", "the Twilio number (E.164) that SMS and calls come from"),
    Variable("RRIS_PHONE_CALLS_PER_BOOKING", "6", "most telephone legs (out and in) one booking may have"),
    Variable("RRIS_PHONE_CALLS_PER_DAY", "200", "most telephone legs in any 24 hours, all bookings together"),
    Variable(
        "RRIS_DIAL_IN_NUMBER", "(empty: no dial-in)", "the Twilio number (E.164) participants dial with their PIN"
    ),
    Variable(
        "RRIS_RETENTION_DAYS",
        "90",
        "days after a session's end when its call records, free texts, guests and sent messages are purged",
    ),
    Variable(
        "RRIS_SIGN_IN_RECORDS_DAYS",
        "30",
        "days sign-in attempts, ended browser sessions and revoked or expired API tokens are kept",
    ),
    Variable("RRIS_AUDIT_DAYS", "365", "days the audit trail (who read or changed what) is kept"),
    Variable(
        "RRIS_CASE_DETAILS_HOURS",
        str(DEFAULT_CASE_DETAILS_HOURS),
        "hours after a session's end during which its interpreter still sees the case reference and notes "
        f"(0 to {MAX_CASE_DETAILS_HOURS}); then only the job's facts",
    ),
    Variable(
        "RRIS_WEBHOOK_TIMEOUT_SECONDS",
        "5",
        "seconds a case system's webhook endpoint has to connect and to answer before the try counts as failed",
    ),
    Variable("RRIS_WEBHOOK_MAX_ATTEMPTS", "8", "tries of one webhook delivery before it is marked failed"),
    Variable(
        "RRIS_WEBHOOK_RETRY_SECONDS", "30", "delay before the second try of a webhook; doubled after each (with jitter)"
    ),
    Variable(
        "RRIS_WEBHOOK_SECRET_OVERLAP_HOURS",
        "24",
        "hours after a rotation during which webhooks are signed with the previous secret as well",
    ),
    Variable(
        "RRIS_WEBHOOK_DISABLE_AFTER",
        "20",
        "webhook deliveries failed for good in a row after which the endpoint is disabled",
    ),
    Variable(
        "RRIS_WEBHOOK_ALLOW_LOOPBACK",
        "false",
        "allow webhook endpoints on http://127.0.0.1 or localhost (development and tests; refused in production)",
    ),
    Variable("RRIS_LOG_LEVEL", "INFO", "log level of all three processes"),
)
