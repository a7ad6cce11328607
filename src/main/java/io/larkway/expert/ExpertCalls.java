package io.larkway.expert;

import io.larkway.flow.FlowHeaders;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.larkway.flow.content.Attachments;
import io.larkway.flow.content.TurnContents;
import io.larkway.flow.converse.TurnHistory;
import io.larkway.platform.Breakers;
import io.larkway.platform.LarkwayProperties;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Calls the expert of a turn: {@code echo}, {@code openai} (chat completions, streamed),
 * {@code http} (POST JSON, answer JSON) or {@code camel} (an expert route of the operator's, see
 * {@link ExpertGuard}). Each expert has its own circuit breaker, so one failing expert never blocks
 * another tenant's; every call has the configured timeout and reads at most
 * {@code larkway.experts.max-response-bytes} of the answer. A failure is an {@link ExpertException}
 * whose message a tenant may see (Status, recent errors): never a response body or an exception text
 * that could name internal hosts, ports or values. Turns are kept as conversation history.
 */
@Component
public class ExpertCalls {
    private static final Logger LOG = LoggerFactory.getLogger(ExpertCalls.class);
    private final Experts experts;
    private final ExpertGuard guard;
    private final int maxResponseBytes;
    private final ObjectMapper json;
    private final ProducerTemplate camel;
    private final JdbcClient db;
    private final Clock clock;
    private final Duration timeout;
    // never follows redirects (NEVER is the default; kept explicit): a redirect could lead to a private address
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final CircuitBreakerRegistry breakers;
    private final io.larkway.flow.SystemTexts texts;
    private final TurnContents contents;
    private final Attachments attachments;

    public ExpertCalls(Experts experts, ExpertGuard guard, ObjectMapper json, ProducerTemplate camel, JdbcClient db, Clock clock,
            LarkwayProperties props, io.larkway.flow.SystemTexts texts, TurnContents contents, Attachments attachments) {
        this.texts = texts;
        this.contents = contents;
        this.attachments = attachments;
        this.experts = experts;
        this.guard = guard;
        this.maxResponseBytes = props.experts().maxResponseBytes();
        this.json = json;
        this.camel = camel;
        this.db = db;
        this.clock = clock;
        LarkwayProperties.Conversation c = props.conversation();
        this.timeout = Duration.ofSeconds(c.expertTimeoutSeconds());
        this.breakers = CircuitBreakerRegistry.of(
                Breakers.config(c.expertBreakerFailureRatePercent(), c.expertBreakerMinimumCalls(), c.expertBreakerOpenSeconds()).clock(clock).build());
    }

    /** What an expert sees of a turn; {@code content}: its messages, names, quotes and attachments (TurnContents). */
    public record Turn(String integrationId, String conversationId, String text, String senderOpenId, String senderName, String chatId,
            String chatType, String language, TurnContents.Content content, Map<?, ?> action) {
    }

    /** Whether the turn's expert streams (the reply then goes out as a card updated while it streams). */
    public boolean streams(Exchange exchange) {
        return experts.find(exchange.getMessage().getHeader(FlowHeaders.EXPERT_ID, String.class)).map(e -> e.type() == Expert.Type.openai).orElse(false);
    }

    /** Answers the turn in the exchange (body = the text); {@code onText} sees the growing answer of a streaming expert. */
    public String answer(Exchange exchange, Consumer<String> onText) throws Exception {
        Message m = exchange.getMessage();
        Expert expert = experts.findFor(m.getHeader(FlowHeaders.EXPERT_ID, String.class), m.getHeader(FlowHeaders.INTEGRATION_ID, String.class))
                .orElseThrow(() -> new ExpertException("the trigger's expert no longer exists in the integration's organisation"));
        // names, quotes, forwarded messages and attachments: fetched here, on the turn's thread
        TurnContents.Content content = expert.type() == Expert.Type.echo ? new TurnContents.Content(m.getBody(String.class), null, null, List.of())
                : contents.of(m, expert.type() == Expert.Type.openai);
        Turn turn = new Turn(m.getHeader(FlowHeaders.INTEGRATION_ID, String.class), m.getHeader(FlowHeaders.CONVERSATION_ID, String.class),
                content.text(), m.getHeader(FlowHeaders.SENDER_OPEN_ID, String.class), content.senderName(), m.getHeader(FlowHeaders.CHAT_ID, String.class),
                m.getHeader(FlowHeaders.CHAT_TYPE, String.class), texts.language(m.getHeader(FlowHeaders.INTEGRATION_ID, String.class)), content,
                m.getHeader(FlowHeaders.ACTION, Map.class));
        CircuitBreaker breaker = breakers.circuitBreaker(expert.id());
        ExpertAnswer answer = breaker.executeCallable(() -> call(expert, turn, onText));
        // kept in the history by the turn's end (Conversations.finish), in its transaction
        exchange.setProperty(FlowHeaders.TURN_HISTORY, new TurnHistory(turn.conversationId(), turn.text(), answer.content()));
        // how the reply stage shows it (ExpertAnswer: text, markdown, card; none: larkway.reply.format decides)
        m.setHeader(FlowHeaders.ANSWER_FORMAT, answer.format());
        return answer.content();
    }

    public String answer(Exchange exchange) throws Exception {
        return answer(exchange, text -> { });
    }

    ExpertAnswer call(Expert expert, Turn turn, Consumer<String> onText) {
        try {
            return switch (expert.type()) {
                case echo -> ExpertAnswer.plain(turn.text());
                case http -> http(expert, turn);
                case openai -> ExpertAnswer.plain(openai(expert, turn, onText));
                case camel -> camel(expert, turn);
            };
        } catch (ExpertException e) {
            throw e;
        } catch (java.net.http.HttpTimeoutException e) {
            throw tooSlow();
        } catch (JsonProcessingException e) {
            throw new ExpertException(expert.type() + " expert answered something that is not the expected JSON");
        } catch (Exception e) {
            // the detail (e.g. a connect failure naming a host and port) stays in the service's log
            LOG.debug("Expert call failed expertId={}", expert.id(), e);
            throw new ExpertException(expert.type() + " expert could not be reached or broke off (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * The request of an http expert, the body of a camel expert (PRODUCT.md §10): {@code conversationId, integrationId, language,
     * text, sender, chat, messages[{messageId, type, text, sender, quoted?, attachments[{kind, fileKey, name, mimeType, size, url}]}]};
     * an attachment that could not be fetched has {@code error} instead of {@code url}.
     */
    private ObjectNode request(Turn turn) {
        ObjectNode body = json.createObjectNode().put("conversationId", turn.conversationId()).put("integrationId", turn.integrationId())
                .put("language", turn.language()).put("text", turn.text());
        body.putObject("sender").put("openId", turn.senderOpenId()).put("name", turn.senderName());
        body.putObject("chat").put("id", turn.chatId()).put("type", turn.chatType()).put("threadId", turn.content().threadId());
        ArrayNode messages = body.putArray("messages");
        for (TurnContents.Item item : turn.content().items()) {
            ObjectNode message = messages.addObject();
            message.setAll(item.message());
            ArrayNode list = message.putArray("attachments");
            for (TurnContents.Attachment a : item.attachments()) {
                ObjectNode out = list.addObject().put("kind", a.kind()).put("fileKey", a.fileKey()).put("name", a.name());
                if (a.bytes() == null) {
                    out.put("error", a.error());
                } else {
                    out.put("mimeType", a.mimeType()).put("size", a.bytes().length)
                            .put("url", attachments.publish(turn.integrationId(), a.messageId(), a.name(), a.mimeType(), a.bytes()));
                }
            }
        }
        if (turn.action() != null) {
            body.set("action", json.valueToTree(turn.action())); // a card action's turn (CardActions)
        }
        return body;
    }

    private ExpertAnswer http(Expert expert, Turn turn) throws Exception {
        ObjectNode body = request(turn);
        URI url = URI.create(expert.url());
        guard.checkDestination(url);
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        if (expert.apiKey() != null) {
            request.header("Authorization", "Bearer " + expert.apiKey());
        }
        // the whole answer within the timeout: HttpRequest.timeout alone only bounds the wait for the headers
        HttpResponse<byte[]> response = within(http.sendAsync(request.build(),
                info -> info.statusCode() / 100 == 2 ? new BoundedBody(maxResponseBytes) : HttpResponse.BodySubscribers.replacing(null)));
        if (response.statusCode() / 100 != 2) {
            throw new ExpertException("http expert answered HTTP " + response.statusCode());
        }
        return ExpertAnswer.of(json.readTree(response.body()), "http");
    }

    private String openai(Expert expert, Turn turn, Consumer<String> onText) throws Exception {
        ObjectNode body = json.createObjectNode().put("model", expert.model()).put("stream", true);
        ArrayNode messages = body.putArray("messages");
        for (Map<String, String> past : history(turn.conversationId())) {
            messages.addObject().put("role", past.get("role")).put("content", past.get("content"));
        }
        // the sender's name before the text (several senders: already before each line); images as image_url content parts
        String said = turn.senderName() != null && turn.content().items().stream().map(i -> i.message().path("sender").path("openId").asText())
                .distinct().count() == 1 ? turn.senderName() + ": " + turn.text() : turn.text();
        List<TurnContents.Attachment> images = turn.content().attachments().stream().filter(TurnContents.Attachment::image).toList();
        if (images.isEmpty()) {
            messages.addObject().put("role", "user").put("content", said);
        } else {
            ArrayNode parts = messages.addObject().put("role", "user").putArray("content");
            parts.addObject().put("type", "text").put("text", said);
            for (TurnContents.Attachment image : images) {
                parts.addObject().put("type", "image_url").putObject("image_url")
                        .put("url", "data:" + image.mimeType() + ";base64," + java.util.Base64.getEncoder().encodeToString(image.bytes()));
            }
        }
        String url = expert.url().endsWith("/chat/completions") ? expert.url()
                : expert.url().replaceAll("/+$", "") + (expert.url().replaceAll("/+$", "").endsWith("/v1") ? "" : "/v1") + "/chat/completions";
        guard.checkDestination(URI.create(url));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream").POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        if (expert.apiKey() != null) {
            request.header("Authorization", "Bearer " + expert.apiKey());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<InputStream> response = within(http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        // a server that stalls mid-stream: closing the body at the deadline ends the read with an IOException
        long left = Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        java.util.concurrent.CompletableFuture.delayedExecutor(left, java.util.concurrent.TimeUnit.MILLISECONDS).execute(() -> {
            try {
                response.body().close();
            } catch (java.io.IOException ignored) {
                // already closed
            }
        });
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new BoundedStream(response.body(), maxResponseBytes),
                StandardCharsets.UTF_8))) {
            if (response.statusCode() / 100 != 2) {
                throw new ExpertException("openai expert answered HTTP " + response.statusCode());
            }
            StringBuilder text = new StringBuilder();
            String line;
            boolean sse = response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
            if (!sse) {
                // a server that ignores stream:true answers one JSON document
                JsonNode whole = json.readTree(reader);
                return whole.path("choices").path(0).path("message").path("content").asText("");
            }
            while ((line = reader.readLine()) != null) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    break;
                }
                String delta = json.readTree(data).path("choices").path(0).path("delta").path("content").asText("");
                if (!delta.isEmpty()) {
                    text.append(delta);
                    onText.accept(text.toString());
                }
            }
            if (text.isEmpty()) {
                throw new ExpertException("openai expert streamed no text");
            }
            return text.toString();
        } catch (IOException e) {
            throw System.nanoTime() - deadline >= 0 ? tooSlow() : e;
        }
    }

    private <T> HttpResponse<T> within(java.util.concurrent.CompletableFuture<HttpResponse<T>> call) throws Exception {
        try {
            return call.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            call.cancel(true);
            throw tooSlow();
        } catch (ExecutionException e) {
            // HttpClient wraps what a body subscriber fails with (BoundedBody's ExpertException) in an IOException
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof ExpertException expert) {
                    throw expert;
                }
            }
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private ExpertException tooSlow() {
        return new ExpertException("the expert did not answer within " + timeout.toSeconds() + " s");
    }

    private ExpertException tooLarge() {
        return new ExpertException("the expert's answer exceeded " + maxResponseBytes + " bytes");
    }

    private ExpertAnswer camel(Expert expert, Turn turn) throws Exception {
        // checked again at every call (rows saved before the check existed); the Endpoint object, never a URI string
        // that a ProducerTemplate would resolve (property placeholders)
        org.apache.camel.Route route = guard.camelRoute(expert.uri())
                .orElseThrow(() -> new ExpertException("camel expert: its uri names no expert route of this service"));
        java.util.concurrent.Future<Exchange> sent = camel.asyncSend(route.getEndpoint(), e -> {
            e.setPattern(ExchangePattern.InOut);
            e.getMessage().setBody(request(turn).toString());
            e.getMessage().setHeader(FlowHeaders.CONVERSATION_ID, turn.conversationId());
            e.getMessage().setHeader(FlowHeaders.SENDER_OPEN_ID, turn.senderOpenId());
            e.getMessage().setHeader(FlowHeaders.CHAT_ID, turn.chatId());
            e.getMessage().setHeader(FlowHeaders.CHAT_TYPE, turn.chatType());
            e.getMessage().setHeader(FlowHeaders.INTEGRATION_ID, turn.integrationId());
            e.getMessage().setHeader(FlowHeaders.LANGUAGE, turn.language());
            e.getMessage().setHeader(FlowHeaders.ACTION, turn.action());
        });
        Exchange reply;
        try {
            reply = sent.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            sent.cancel(true);
            throw tooSlow();
        }
        if (reply.getException() != null) {
            LOG.debug("Camel expert route failed expertId={} route={}", expert.id(), route.getRouteId(), reply.getException());
            throw new ExpertException("camel expert route " + route.getRouteId() + " failed (" + reply.getException().getClass().getSimpleName() + ")");
        }
        Object body = reply.getMessage().getBody();
        if (body instanceof Map<?, ?> || body instanceof JsonNode) {
            return ExpertAnswer.of(json.valueToTree(body), "camel");
        }
        String text = reply.getMessage().getBody(String.class);
        if (text == null || text.isBlank()) {
            throw new ExpertException("camel expert route " + route.getRouteId() + " answered nothing");
        }
        if (text.length() > maxResponseBytes / 3 && text.getBytes(StandardCharsets.UTF_8).length > maxResponseBytes) {
            throw tooLarge();
        }
        if (text.startsWith("{")) {
            JsonNode structured = readOrNull(text);
            if (ExpertAnswer.isFormatted(structured)) {
                return ExpertAnswer.of(structured, "camel");
            }
        }
        return ExpertAnswer.plain(text);
    }

    private JsonNode readOrNull(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private List<Map<String, String>> history(String conversationId) {
        List<Map<String, String>> newestFirst = db.sql("SELECT role, content FROM conversation_turns WHERE conversation_id = ? ORDER BY id DESC LIMIT 40").param(conversationId)
                .query((rs, n) -> Map.of("role", rs.getString(1), "content", rs.getString(2))).list();
        List<Map<String, String>> oldestFirst = new java.util.ArrayList<>(newestFirst);
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** A 2xx body of at most max bytes, collected as it arrives; past max the download is cancelled and the call fails. */
    private final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int max;
        private Flow.Subscription subscription;

        BoundedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if ((long) out.size() + b.remaining() > max) {
                    result.completeExceptionally(tooLarge()); // first: the cancel fails the call at once
                    subscription.cancel();
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }

    /** A stream that fails once more than max bytes were read from it. */
    private final class BoundedStream extends FilterInputStream {
        private final int max;
        private long read;

        BoundedStream(InputStream in, int max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            count(n);
            return n;
        }

        private void count(int n) {
            if (n > 0 && (read += n) > max) {
                throw tooLarge();
            }
        }
    }

    /** An expert that answered badly (status, shape, size, address); its message is fit for the tenant to see. */
    public static class ExpertException extends RuntimeException {
        public ExpertException(String message) {
            super(message);
        }
    }
}
