package io.larkway.camel;

import io.larkway.camel.lark.ws.ConnectionSupervisor;
import io.larkway.admin.Integration;
import io.larkway.admin.IntegrationChanged;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tells the {@code lark} component's long connections of integration changes made on this
 * instance: created/enabled → connect, credentials/mode/region changed → restart,
 * disabled/deleted/webhook → close at once.
 */
@Component
public class LongConnectionChanges {
    private final ConnectionSupervisor supervisor;
    private final IntegrationApps apps;

    public LongConnectionChanges(ConnectionSupervisor supervisor, IntegrationApps apps) {
        this.supervisor = supervisor;
        this.apps = apps;
    }

    @EventListener
    public void onIntegrationChanged(IntegrationChanged change) {
        Integration after = change.after();
        if (after == null) {
            supervisor.remove(change.id(), "integration deleted");
        } else if (!after.enabled() || !after.isLongConnection()) {
            supervisor.close(change.id(), after.enabled() ? "switched to webhook mode" : "integration disabled");
        } else {
            supervisor.changed(apps.app(after), change.before() == null || after.connectionDiffers(change.before()));
        }
    }
}
