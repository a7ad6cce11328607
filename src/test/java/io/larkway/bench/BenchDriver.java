package io.larkway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/** What the load drivers under bench/ (single-file programs with the test classes on their class path) share. */
public final class BenchDriver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private BenchDriver() {
    }

    /** Calls larkway's API with a bearer key; answers the JSON body, throws on a status other than 2xx. */
    public static JsonNode api(String base, String method, String path, String key, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /**
     * Calls {@code send(i)} for i in [0, n) at {@code rate} per second (0 = flat out), on schedule
     * whatever the answers do (open loop); says so if the driver itself fell behind by over 5 ms.
     */
    public static void openLoop(int n, int rate, IntConsumer send) {
        long period = rate == 0 ? 0 : 1_000_000_000L / rate;
        long start = System.nanoTime();
        long worstLag = 0;
        for (int i = 0; i < n; i++) {
            long due = start + i * period;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (period > 0) {
                worstLag = Math.max(worstLag, System.nanoTime() - due);
            }
            send.accept(i);
        }
        if (worstLag > 5_000_000) {
            System.out.printf("  (the driver fell behind its schedule by up to %.1f ms)%n", worstLag / 1e6);
        }
    }

    /** User + system CPU seconds of a process (Linux /proc; clock ticks of 10 ms). */
    public static double cpuSeconds(long pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    /** An integer setting from the environment. */
    public static int env(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }
}
