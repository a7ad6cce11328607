package io.larkway.ops;

import io.larkway.camel.lark.ws.ConnectionStatus;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import io.larkway.admin.Integration;
import io.larkway.admin.IntegrationChanged;
import io.larkway.admin.Integrations;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** One {@link IntegrationControlMBean} per integration, next to Camel's own JMX tree; kept in step with integration changes. */
@Component
public class IntegrationMBeans {
    private static final Logger LOG = LoggerFactory.getLogger(IntegrationMBeans.class);
    private final Integrations integrations;
    private final ConnectionSupervisor supervisor;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    public IntegrationMBeans(Integrations integrations, ConnectionSupervisor supervisor) {
        this.integrations = integrations;
        this.supervisor = supervisor;
    }

    @EventListener(ApplicationReadyEvent.class)
    void registerAll() {
        for (Integration.ConnectionMode mode : Integration.ConnectionMode.values()) {
            integrations.enabled(mode).forEach(i -> register(i.id()));
        }
    }

    @EventListener
    void changed(IntegrationChanged change) {
        if (change.after() == null) {
            unregister(change.id());
        } else {
            register(change.id());
        }
    }

    public static ObjectName name(String integrationId) {
        try {
            return new ObjectName("io.larkway:type=Integration,id=" + ObjectName.quote(integrationId));
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private void register(String id) {
        try {
            if (!server.isRegistered(name(id))) {
                server.registerMBean(new javax.management.StandardMBean(new Control(id), IntegrationControlMBean.class), name(id));
            }
        } catch (Exception e) {
            LOG.warn("JMX registration failed integrationId={}: {}", id, e.getMessage());
        }
    }

    private void unregister(String id) {
        try {
            if (server.isRegistered(name(id))) {
                server.unregisterMBean(name(id));
            }
        } catch (Exception e) {
            LOG.warn("JMX unregistration failed integrationId={}: {}", id, e.getMessage());
        }
    }

    /** The MBean; it reads the integration and its connection afresh on every call. */
    public class Control implements IntegrationControlMBean {
        private final String id;

        Control(String id) {
            this.id = id;
        }

        private Integration integration() {
            return integrations.find(id).orElseThrow(() -> new IllegalStateException("integration " + id + " no longer exists"));
        }

        private ConnectionStatus connection() {
            return supervisor.status(id).orElse(null);
        }

        @Override
        public String getName() { return integration().name(); }

        @Override
        public String getMode() { return integration().connectionMode().name(); }

        @Override
        public String getState() {
            Integration i = integration();
            if (!i.enabled()) {
                return "disabled";
            }
            ConnectionStatus c = connection();
            return !i.isLongConnection() ? i.connectionMode().name() : c == null ? "idle" : c.state().name();
        }

        @Override
        public String getLastError() {
            ConnectionStatus c = connection();
            return c == null ? null : c.lastError();
        }

        @Override
        public int getFailureCount() {
            ConnectionStatus c = connection();
            return c == null ? 0 : c.failureCount();
        }

        @Override
        public String reconnect() {
            Integration i = integration();
            if (!i.isLongConnection() || !i.enabled()) {
                return "not an enabled long-connection integration";
            }
            return supervisor.reconnect(i.id()).state().name();
        }

        @Override
        public String disconnect() {
            supervisor.disconnect(id);
            return getState();
        }
    }
}
