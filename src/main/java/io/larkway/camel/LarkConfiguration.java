package io.larkway.camel;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** Options of a {@code lark:} endpoint; the component's copy holds the defaults. */
@UriParams
public class LarkConfiguration implements Cloneable {
    @UriPath(description = "What the endpoint does: events (consumer: the event stream of all enabled long-connection integrations).",
            enums = "events")
    @Metadata(required = true)
    private String operation;

    @UriParam(label = "consumer", defaultValue = "16",
            description = "Threads that run the route for received events, shared by all connections (event loops never block).")
    private int workerPoolSize = 16;

    @UriParam(label = "consumer", defaultValue = "10000",
            description = "Events waiting for a worker before new ones are refused and acked 500 (Lark redelivers them).")
    private int workerQueueSize = 10000;

    public String getOperation() { return operation; }

    public void setOperation(String operation) { this.operation = operation; }

    public int getWorkerPoolSize() { return workerPoolSize; }

    public void setWorkerPoolSize(int workerPoolSize) { this.workerPoolSize = workerPoolSize; }

    public int getWorkerQueueSize() { return workerQueueSize; }

    public void setWorkerQueueSize(int workerQueueSize) { this.workerQueueSize = workerQueueSize; }

    public LarkConfiguration copy() {
        try {
            return (LarkConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }
}
