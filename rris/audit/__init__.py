"""The audit trail: who read or changed what, when, from where and why, in a tamper-evident hash chain."""
