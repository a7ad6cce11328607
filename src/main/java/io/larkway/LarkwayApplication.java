package io.larkway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class LarkwayApplication {
    static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) {
        commonPoolOfAtLeastTwo();
        preinitialize();
        SpringApplication.run(LarkwayApplication.class, args);
    }

    /**
     * Makes the JDK's default TLS context on a thread of its own while Spring starts (as Spring Boot's
     * own background pre-initializer does for Jackson and others): the first {@code HttpClient} (the
     * Lark API client, expert calls) otherwise spends about 150 ms of the start-up reading the trust store.
     */
    static void preinitialize() {
        Thread t = new Thread(() -> {
            try {
                javax.net.ssl.SSLContext.getDefault();
            } catch (Exception | LinkageError e) {
                // the client that needs it reports it
            }
        }, "larkway-preinit");
        t.setDaemon(true);
        t.start();
    }

    /**
     * On a machine of one or two cores the JDK's common pool has a single thread, and then every
     * async step of a {@code CompletableFuture} without an executor runs on a thread started for
     * it: the JDK's {@code HttpClient.sendAsync} has one such step per call, so every Lark API call
     * and expert call started (and ended) a thread (3 000 in a benchmark's minute). Two threads
     * make {@code CompletableFuture} use the pool. An operator's own {@code -D} setting wins.
     */
    static void commonPoolOfAtLeastTwo() {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
            System.setProperty(COMMON_POOL_PARALLELISM, "2");
        }
    }
}
