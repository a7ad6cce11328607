import static io.larkway.bench.BenchDriver.api;
import static io.larkway.bench.BenchDriver.cpuSeconds;
import static io.larkway.bench.BenchDriver.env;
import static io.larkway.bench.BenchDriver.openLoop;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.WebhookSender;
import io.larkway.emulator.WebhookSender.Delivery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The end-to-end benchmark's driver (run by bench/e2e.sh as a single-file program, with the test
 * classes on the class path). It runs the Lark emulator in this process, so the emulator's
 * clock and the driver's are the same {@code System.nanoTime()}.
 *
 * <p>Starts the emulator and writes its base URL to a file; bench/e2e.sh starts larkway against it
 * and creates the ready file once larkway is up. Then, through larkway's API: an org, a webhook
 * integration with an Encrypt Key (deliveries are encrypted and signed, as Lark sends them), an
 * echo expert and a published trigger (direct chats: all users; no aggregation window).
 *
 * <p>Open loop at BENCH_RATE messages/s: p2p text messages, each from its own user (its own scope:
 * no message waits for another's turn) with its own text. Latency = when the emulator received the
 * reply call for the message minus when the webhook POST was sent. Phases: larkway warm-up
 * (BENCH_WARMUP s), baseline (BENCH_DURATION s), larkway (BENCH_DURATION s). The baseline does, at
 * the same rate, the network part of the same work without larkway: a webhook-sized POST to the
 * emulator (answered {}), then, once answered, the same reply call larkway makes, with a tenant
 * token from the emulator; its latency ends, like larkway's, when the emulator receives the reply.
 * Larkway overhead = larkway latency - baseline latency, percentile by percentile.
 *
 * <p>CPU per message: larkway's process CPU (from /proc) over its measured phase / messages, next
 * to the baseline's: this driver's whole process (client and emulator, both calls) over the baseline
 * phase / messages. Then a rate sweep (BENCH_SWEEP rates, BENCH_SWEEP_DURATION s each, stopping at
 * the first rate that misses): larkway's overhead p99 (against the baseline's p99 above), CPU per
 * message and the messages held back by the organisation's turn limit at each rate, and the highest rate
 * whose overhead p99 stays under 50 ms.
 *
 * <p>Checks that every message sent (warm-up and sweep included) got exactly one reply with its own
 * text; exits 1 otherwise.
 *
 * <p>Usage: {@code EndToEnd <larkwayUrl> <adminKey> <emulatorUrlFile> <readyFile> [perMessageCsv]}; settings from the
 * environment: BENCH_RATE, BENCH_WARMUP, BENCH_DURATION, BENCH_DRAIN (seconds to wait for the last replies).
 */
public class EndToEnd {
    static final int RATE = env("BENCH_RATE", 100);
    static final int WARMUP = env("BENCH_WARMUP", 30);
    static final int DURATION = env("BENCH_DURATION", 20);
    static final int DRAIN = env("BENCH_DRAIN", 30);
    static final double TARGET_MS = 50;
    static final int[] SWEEP = java.util.Arrays.stream(System.getenv().getOrDefault("BENCH_SWEEP", "100,200,300,400,600").split(","))
            .map(String::trim).filter(r -> !r.isEmpty()).mapToInt(Integer::parseInt).toArray();
    static final int SWEEP_DURATION = env("BENCH_SWEEP_DURATION", 10);

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern IM = Pattern.compile("/open-apis/im/v1/messages/([^/]+)/(reply|reactions)");

    /** Emulator receive times (nanoTime) of the first reply call and first Typing reaction per inbound message id. */
    static final Map<String, Long> REPLIED = new ConcurrentHashMap<>();
    static final Map<String, Long> TYPING = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        String larkway = args[0];
        String adminKey = args[1];
        String run = Long.toString(System.currentTimeMillis(), 36);

        // --- the emulator, in this process ---------------------------------------------------------
        LarkEmulator lark = new LarkEmulator();
        lark.addExtension((req, body) -> {
            long now = System.nanoTime();
            Matcher m = IM.matcher(req.path());
            if (req.method().name().equals("POST") && m.matches()) {
                (m.group(2).equals("reply") ? REPLIED : TYPING).putIfAbsent(m.group(1), now);
                return false; // the emulator answers it as usual
            }
            if (req.path().equals("/bench/webhook")) { // the baseline's stand-in for larkway's webhook: answers {}
                req.response().putHeader("content-type", "application/json").end("{}");
                return true;
            }
            return false;
        });
        LarkEmulator.App app = lark.registerApp("cli_e2e_" + run, "secret-" + run);
        LarkEmulator.App baselineApp = lark.registerApp("cli_base_" + run, "secret-base-" + run);
        Files.writeString(Path.of(args[2]), lark.baseUrl());
        Path ready = Path.of(args[3]);
        for (long deadline = System.nanoTime() + 240_000_000_000L; !Files.exists(ready); Thread.sleep(200)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("larkway did not come up");
            }
        }
        long larkwayPid = Long.parseLong(Files.readString(ready.resolveSibling("larkway.pid")).trim());
        long driverPid = ProcessHandle.current().pid();

        // --- org, integration, echo expert, published trigger (README walk-through) ----------------
        String token = "vt-" + run;
        String encryptKey = "ek-" + run;
        String orgKey = api(larkway, "POST", "/api/orgs", adminKey, Map.of("name", "e2e bench")).path("apiKey").asText();
        String integration = api(larkway, "POST", "/api/integrations", orgKey, Map.of("name", "e2e bench", "appId", app.appId(), "appSecret",
                app.appSecret(), "verificationToken", token, "encryptKey", encryptKey, "connectionMode", "webhook")).path("id").asText();
        String expert = api(larkway, "POST", "/api/experts", orgKey, Map.of("name", "Echo", "type", "echo")).path("id").asText();
        String trigger = api(larkway, "POST", "/api/triggers", orgKey, Map.of("integrationId", integration, "expertId", expert,
                "directChat", Map.of("mode", "all_users"), "groupChat", Map.of("mode", "off"), "sessionTimeoutSeconds", 3600,
                "aggregationWindowSeconds", 0)).path("id").asText();
        api(larkway, "POST", "/api/triggers/" + trigger + "/publish", orgKey, null);
        URI webhook = URI.create(larkway + "/api/lark/webhook/" + integration);

        // --- deliveries, built beforehand: one user and one text per message -------------------------
        WebhookSender sender = new WebhookSender(app.appId(), token, encryptKey);
        int warmupCount = RATE * WARMUP;
        int measuredEnd = warmupCount + RATE * DURATION;
        int total = measuredEnd + Arrays.stream(SWEEP).map(r -> r * SWEEP_DURATION).sum();
        Instant created = Instant.now();
        IntFunction<String> id = i -> "om_e2e_" + run + "_" + i;
        IntFunction<String> text = i -> "end-to-end message " + i + " of run " + run;
        List<Delivery> deliveries = IntStream.range(0, total).parallel()
                .mapToObj(i -> sender.message("ev_" + run + "_" + i, id.apply(i), "p2p", "oc_e2e_" + run + "_" + i, "ou_e2e_" + run + "_" + i,
                        text.apply(i), created))
                .toList();
        System.out.printf("larkway %s, emulator %s, integration %s (webhook with Encrypt Key, %d-byte deliveries)%n", larkway, lark.baseUrl(),
                integration, deliveries.get(0).body().length);
        System.out.printf("open loop at %d messages/s: warm-up %d s, baseline %d s, larkway %d s; then a sweep at %s messages/s, %d s each%n", RATE, WARMUP,
                DURATION, DURATION, Arrays.toString(SWEEP), SWEEP_DURATION);

        // --- larkway warm-up ----------------------------------------------------------------------
        long[] sent = new long[total];
        AtomicLongArray answered = new AtomicLongArray(total); // when the driver got the webhook's 200
        AtomicInteger failures = new AtomicInteger();
        openLoop(warmupCount, RATE, i -> postWebhook(webhook, deliveries.get(i), i, sent, answered, failures));
        awaitReplies(id, 0, warmupCount, "warm-up");

        // --- baseline: webhook-sized POST to the emulator, then the same reply call, direct -----------
        String tenantToken = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(lark.baseUrl() + "/open-apis/auth/v3/tenant_access_token/internal"))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("app_id", baselineApp.appId(), "app_secret",
                        baselineApp.appSecret())))).build(), HttpResponse.BodyHandlers.ofString()).body()).path("tenant_access_token").asText();
        int baseCount = RATE * DURATION;
        IntFunction<String> baseId = i -> "om_base_" + run + "_" + i;
        long[] baseSent = new long[baseCount];
        URI fakeWebhook = URI.create(lark.baseUrl() + "/bench/webhook");
        double baseCpu0 = cpuSeconds(driverPid);
        openLoop(baseCount, RATE, i -> {
            Delivery d = deliveries.get(warmupCount + i);
            HttpRequest.Builder post = HttpRequest.newBuilder(fakeWebhook).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
            d.headers().forEach(post::header);
            String replyBody = JSON.createObjectNode().put("msg_type", "text").put("content", JSON.createObjectNode().put("text", text.apply(i)).toString())
                    .put("uuid", "base-" + run + "-" + i).toString();
            HttpRequest reply = HttpRequest.newBuilder(URI.create(lark.baseUrl() + "/open-apis/im/v1/messages/" + baseId.apply(i) + "/reply"))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + tenantToken).header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(replyBody)).build();
            baseSent[i] = System.nanoTime();
            HTTP.sendAsync(post.build(), HttpResponse.BodyHandlers.discarding())
                    .thenCompose(r -> HTTP.sendAsync(reply, HttpResponse.BodyHandlers.ofString()))
                    .whenComplete((r, e) -> {
                        if (e != null || r.statusCode() != 200) {
                            fail(failures, "baseline " + i + ": " + (e != null ? e : r.statusCode() + " " + r.body()));
                        }
                    });
        });
        awaitReplies(baseId, 0, baseCount, "baseline");
        double baseCpu = (cpuSeconds(driverPid) - baseCpu0) / baseCount; // the phase and its drain: every reply is in
        long[] baseline = latencies(baseId, 0, baseCount, baseSent, REPLIED);

        // --- larkway, measured --------------------------------------------------------------------
        double cpu0 = cpuSeconds(larkwayPid);
        openLoop(measuredEnd - warmupCount, RATE, j -> postWebhook(webhook, deliveries.get(warmupCount + j), warmupCount + j, sent, answered, failures));
        awaitReplies(id, warmupCount, measuredEnd, "larkway");
        double larkwayCpu = (cpuSeconds(larkwayPid) - cpu0) / (measuredEnd - warmupCount);
        Thread.sleep(2000); // a late duplicate would show up here
        long[] e2e = latencies(id, warmupCount, measuredEnd, sent, REPLIED);
        long[] webhookAnswered = new long[measuredEnd - warmupCount];
        for (int i = warmupCount; i < measuredEnd; i++) {
            webhookAnswered[i - warmupCount] = answered.get(i) == 0 ? Long.MAX_VALUE : answered.get(i) - sent[i];
        }
        long[] typing = latencies(id, warmupCount, measuredEnd, sent, TYPING);

        // --- rate sweep: the highest rate at which the overhead p99 stays under the target -------------
        double baseP99 = pct(baseline, 0.99);
        StringBuilder sweep = new StringBuilder();
        int knee = 0;
        int end = measuredEnd; // every message sent so far (the exactly-once check covers them all)
        for (int rate : SWEEP) {
            int from = end;
            int n = rate * SWEEP_DURATION;
            double c0 = cpuSeconds(larkwayPid);
            long heldBack0 = heldBack(larkway);
            openLoop(n, rate, j -> postWebhook(webhook, deliveries.get(from + j), from + j, sent, answered, failures));
            awaitReplies(id, from, from + n, "sweep " + rate + "/s");
            double cpu = (cpuSeconds(larkwayPid) - c0) / n;
            long heldBack = heldBack(larkway) - heldBack0;
            end = from + n;
            long[] l = latencies(id, from, end, sent, REPLIED);
            double over99 = pct(l, 0.99) - baseP99;
            boolean met = over99 < TARGET_MS;
            sweep.append(String.format("sweep %5d messages/s: larkway p50 %8.2f  p99 %8.2f  overhead p99 %8.2f ms  CPU %6.0f µs/message  held back %5d  %s%n",
                    rate, pct(l, 0.50), pct(l, 0.99), over99, cpu * 1e6, heldBack, met ? "under 50 ms" : "MISSED"));
            if (!met) {
                break;
            }
            knee = rate;
        }

        if (args.length > 4) { // per message, for a closer look: ms after the first measured message, then latencies in ms
            StringBuilder csv = new StringBuilder("sent_ms,webhook_200_ms,typing_ms,reply_ms\n");
            for (int i = warmupCount; i < measuredEnd; i++) {
                csv.append(String.format("%.1f,%s,%s,%s%n", (sent[i] - sent[warmupCount]) / 1e6, ms(answered.get(i), sent[i]),
                        ms(TYPING.get(id.apply(i)), sent[i]), ms(REPLIED.get(id.apply(i)), sent[i])));
            }
            Files.writeString(Path.of(args[4]), csv);
        }

        // --- exactly one reply per message, with its own text ---------------------------------------
        Map<String, List<LarkEmulator.Message>> replies = lark.messages(app.appId()).stream().filter(m -> m.kind().equals("reply"))
                .collect(Collectors.groupingBy(LarkEmulator.Message::target));
        int once = 0;
        int missing = 0;
        int duplicated = 0;
        int wrongText = 0;
        total = end;
        for (int i = 0; i < total; i++) {
            List<LarkEmulator.Message> got = replies.getOrDefault(id.apply(i), List.of());
            if (got.isEmpty()) {
                missing++;
            } else if (got.size() > 1) {
                duplicated++;
            } else if (!JSON.readTree(got.get(0).content()).path("text").asText().equals(text.apply(i))) {
                wrongText++;
            } else {
                once++;
            }
        }
        int strays = replies.size() - (total - missing);
        int replyCalls = lark.requests("POST", "/open-apis/im/v1/messages/om_e2e_.*/reply").size();
        long otherMessages = lark.messages(app.appId()).stream().filter(m -> !m.kind().equals("reply")).count();
        int typingLeft = (int) lark.reactions().values().stream().filter(m -> m.startsWith("om_e2e_")).count();

        // --- report ---------------------------------------------------------------------------------
        System.out.println();
        System.out.printf("%-44s %8s %8s %8s%n", "latency, ms (" + (measuredEnd - warmupCount) + " messages measured)", "p50", "p99", "max");
        row("baseline: webhook-sized POST + reply call", baseline);
        row("larkway: webhook answered 200", webhookAnswered);
        row("larkway: Typing reaction received", typing);
        row("larkway: reply received (end to end)", e2e);
        double overhead50 = pct(e2e, 0.50) - pct(baseline, 0.50);
        double overhead99 = pct(e2e, 0.99) - pct(baseline, 0.99);
        System.out.printf("%-44s %8.2f %8.2f%n", "larkway overhead (larkway - baseline)", overhead50, overhead99);
        System.out.printf("%nlarkway overhead p99: %.1f ms at %d messages/s (target < %.0f ms) %s%n", overhead99, RATE, TARGET_MS,
                overhead99 < TARGET_MS ? "MET" : "NOT MET");
        System.out.printf("%nCPU per message at %d messages/s: larkway %.0f µs (its process), baseline %.0f µs (driver and emulator, both calls); "
                + "larkway / baseline x%.2f (target <= 4)%n", RATE, larkwayCpu * 1e6, baseCpu * 1e6, larkwayCpu / baseCpu);
        System.out.print(sweep);
        System.out.printf("highest rate with larkway overhead p99 < %.0f ms: %s%n", TARGET_MS, knee == 0 ? "none of " + Arrays.toString(SWEEP)
                : knee + " messages/s" + (knee == SWEEP[SWEEP.length - 1] ? " (the sweep's top: at least)" : ""));
        System.out.printf("replies: %d sent (warm-up included), %d answered exactly once with their text; missing %d, duplicated %d, wrong text %d, "
                + "replies to unknown messages %d; %d reply calls (retries included), %d other messages posted; Typing reactions left %d; "
                + "transport/HTTP failures %d%n", total, once, missing, duplicated, wrongText, strays, replyCalls, otherMessages, typingLeft, failures.get());
        boolean ok = once == total && strays == 0 && otherMessages == 0 && failures.get() == 0;
        System.out.println(ok ? "check: OK, every message got exactly one reply" : "check: FAILED");
        lark.close();
        System.exit(ok ? 0 : 1);
    }

    static void postWebhook(URI webhook, Delivery d, int i, long[] sent, AtomicLongArray answered, AtomicInteger failures) {
        HttpRequest.Builder request = HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
        d.headers().forEach(request::header);
        HttpRequest built = request.build();
        sent[i] = System.nanoTime();
        HTTP.sendAsync(built, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() != 200) {
                fail(failures, "webhook " + i + ": " + (e != null ? e : r.statusCode() + " " + r.body()));
            } else {
                answered.set(i, System.nanoTime());
            }
        });
    }

    static void awaitReplies(IntFunction<String> id, int from, int to, String phase) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN * 1_000_000_000L;
        long began = System.nanoTime();
        int got;
        while ((got = (int) IntStream.range(from, to).filter(i -> REPLIED.containsKey(id.apply(i))).count()) < to - from
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        System.out.printf("%-9s %d of %d replied (last one %.1f s after the last message was sent)%n", phase, got, to - from,
                (System.nanoTime() - began) / 1e9);
    }

    /** Sorted latencies in ns (a message never answered counts as infinitely late). */
    static long[] latencies(IntFunction<String> id, int from, int to, long[] sent, Map<String, Long> at) {
        long[] out = new long[to - from];
        for (int i = from; i < to; i++) {
            Long t = at.get(id.apply(i));
            out[i - from] = t == null ? Long.MAX_VALUE : t - sent[i];
        }
        Arrays.sort(out);
        return out;
    }

    static String ms(Long at, long sent) {
        return at == null || at == 0 ? "" : String.format("%.2f", (at - sent) / 1e6);
    }

    static double pct(long[] sorted, double p) {
        long v = sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
        return v == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : v / 1e6;
    }

    static void row(String name, long[] sorted) {
        Arrays.sort(sorted);
        System.out.printf("%-44s %8.2f %8.2f %8.2f%n", name, pct(sorted, 0.50), pct(sorted, 0.99), pct(sorted, 1.0));
    }

    static void fail(AtomicInteger failures, String what) {
        if (failures.incrementAndGet() <= 3) {
            System.err.println(what);
        }
    }

    /**
     * Messages larkway held back by the organisation's turn limit so far ({@code larkway.turns.limited}, summed over its
     * integrations, from /actuator/prometheus): past the knee they show where the turn limit starts to bite.
     */
    static long heldBack(String larkway) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(larkway + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return Math.round(metrics.lines().filter(l -> l.startsWith("larkway_turns_limited_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum());
    }
}
