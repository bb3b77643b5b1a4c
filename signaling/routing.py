"""Which node serves a page: this one, when it hosts the page's room, or the room's host, reached
through the relay (`signaling.nodes` decides where a room lives; `signaling.relay` carries the frames)."""

from __future__ import annotations

import json

from rris.calls.domain.call_tickets import CallTicket
from signaling.nodes import Nodes, NodesUnavailable
from signaling.protocol import ClientMessage, Close, ProtocolError
from signaling.relay import HostGone, Relay
from signaling.rooms import Socket

# The nodes' shared state (Redis) does not answer: nobody can be placed in a call just now.
UNAVAILABLE = ProtocolError(
    Close.TRY_AGAIN, "service_unavailable", "The call service cannot start calls just now; trying again."
)
_ATTEMPTS = 3


async def bridged_to_host(
    nodes: Nodes,
    relay: Relay | None,
    socket: Socket,
    join: ClientMessage,
    ticket: CallTicket,
    channel: str,
    accept_language: str | None = None,
) -> bool:
    """Serve the socket through the node that hosts its room (which words its refusals in the
    page's `accept_language`): True once that link ended, False when this node hosts the room;
    UNAVAILABLE when no host can be found."""
    deaf = None
    for _attempt in range(_ATTEMPTS):
        try:
            host = await nodes.host_of(ticket.room, deaf)
        except NodesUnavailable:
            raise UNAVAILABLE from None
        if host == nodes.node_id or relay is None:
            return False
        try:
            await relay.bridge(socket, host, json.dumps(join.fields), channel, accept_language)
            return True
        except HostGone:
            deaf = host  # killed: claim the room past its lapsing heartbeat
            relay.abandon(host)
    raise UNAVAILABLE


async def still_hosts(nodes: Nodes, ticket: CallTicket) -> bool:
    """Whether this node still hosts the room another node bridged a page to it for."""
    try:
        return await nodes.host_of(ticket.room) == nodes.node_id
    except NodesUnavailable:
        raise UNAVAILABLE from None
