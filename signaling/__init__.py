"""Signaling service: WebSocket rooms, SDP/ICE exchange, later the telephone bridge."""
