package io.larkway.camel.lark.ws;

import java.util.List;

/**
 * Operator actions on long connections shared between instances (larkway keeps them in its
 * database): the {@link ConnectionSupervisor} records the actions taken here and carries out, on
 * {@link ConnectionSupervisor#reconcile()}, those taken elsewhere.
 */
public interface ConnectionCommandLog {
    /** One action: {@code reconnect} or {@code disconnect}; {@code id} tells a new action from one already carried out. */
    record Command(String integrationId, String id, String command) {
    }

    /** Records the latest action for an integration; answers it. */
    Command request(String integrationId, String command);

    /** The latest action of every integration. */
    List<Command> all();
}
