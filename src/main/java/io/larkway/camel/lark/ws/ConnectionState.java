package io.larkway.camel.lark.ws;

/** Where one integration's long connection stands on this instance. */
public enum ConnectionState {
    /** Not connected and not trying: no {@code lark:events} consumer runs, or an operator disconnected it. */
    idle,
    /** Fetching an endpoint or opening the WebSocket. */
    connecting,
    /** Open, pinging, receiving. */
    connected,
    /** Waiting for the next reconnect attempt of the server's policy. */
    retrying,
    /** A fatal failure (bad credentials, forbidden, connection limit): no retry until reconnect or an update. */
    unhealthy,
    /** The integration is disabled, deleted or in webhook mode. */
    disabled
}
