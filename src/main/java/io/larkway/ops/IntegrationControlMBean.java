package io.larkway.ops;

/** JMX view of one integration ({@code io.larkway:type=Integration,id=…}): its state, and the Status tab's actions. */
public interface IntegrationControlMBean {
    String getName();

    String getMode();

    String getState();

    String getLastError();

    int getFailureCount();

    /** Drops the current socket (or unhealthy state) and connects now. */
    String reconnect();

    /** Closes the socket; it stays idle until reconnect, an update or a restart. */
    String disconnect();
}
