package io.larkway.flow.reply;

import io.larkway.camel.lark.LarkConstants;
import io.larkway.expert.ExpertCalls.ExpertException;
import io.larkway.expert.ExpertGuard;
import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.RecentErrors;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The images of an answer ({@code ![alt](url)}): fetched under the expert URL policy (ExpertGuard:
 * http(s) only, no private networks unless larkway.experts.allow-private-networks, no redirects) and
 * at most larkway.reply.max-image-bytes, then uploaded to Lark through {@code lark:uploadImage}. An
 * image that cannot be shown is a recent error on Status; the card shows its alt text instead.
 */
@Component
public class AnswerImages {
    private static final Logger LOG = LoggerFactory.getLogger(AnswerImages.class);
    private static final String STAGE = "reply";

    private final ExpertGuard guard;
    private final ProducerTemplate lark;
    private final RecentErrors errors;
    private final int maxBytes;
    private final Duration timeout;
    // never follows redirects: a redirect could lead to a private address
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();

    public AnswerImages(ExpertGuard guard, ProducerTemplate lark, RecentErrors errors, LarkwayProperties props) {
        this.guard = guard;
        this.lark = lark;
        this.errors = errors;
        this.maxBytes = props.reply().maxImageBytes();
        this.timeout = Duration.ofMillis(props.lark().requestTimeoutMs());
    }

    /** The image_key of the image at {@code url} uploaded for this integration, or null (recorded on Status) when it cannot be shown. */
    String upload(String integrationId, String messageId, String url) {
        try {
            byte[] image = fetch(url);
            Exchange done = lark.send("lark:uploadImage", e -> {
                e.getMessage().setHeader(LarkConstants.INTEGRATION_ID, integrationId);
                e.getMessage().setBody(image);
            });
            if (done.getException() != null) {
                throw new ExpertException("Lark refused the upload: " + ReplyParts.reason(done.getException()));
            }
            return done.getMessage().getHeader(LarkConstants.IMAGE_KEY, String.class);
        } catch (ExpertException e) {
            return failed(integrationId, messageId, e.getMessage());
        } catch (Exception e) {
            // the detail (a connect failure naming a host and port) stays in the log
            LOG.debug("Answer image fetch failed integrationId={} message_id={}", integrationId, messageId, e);
            return failed(integrationId, messageId, "could not be fetched (" + e.getClass().getSimpleName() + ")");
        }
    }

    private String failed(String integrationId, String messageId, String reason) {
        LOG.info("Answer image not shown integrationId={} message_id={}: {}", integrationId, messageId, reason);
        errors.record(integrationId, STAGE, "an image in the answer is shown as its alt text: " + reason, messageId);
        return null;
    }

    private byte[] fetch(String url) throws Exception {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ExpertException("its URL is not valid");
        }
        try {
            guard.checkDestination(uri);
        } catch (ExpertException e) {
            throw new ExpertException(e.getMessage().replace("the expert's", "its"));
        }
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        // a server that stalls mid-body: closing it at the deadline ends the read
        java.util.concurrent.CompletableFuture.delayedExecutor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).execute(() -> {
            try {
                response.body().close();
            } catch (java.io.IOException ignored) {
                // already closed
            }
        });
        try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw new ExpertException("its URL answered HTTP " + response.statusCode());
            }
            if (response.headers().firstValueAsLong("Content-Length").orElse(0) > maxBytes) {
                throw tooLarge();
            }
            byte[] image = body.readNBytes(maxBytes + 1);
            if (image.length > maxBytes) {
                throw tooLarge();
            }
            if (image.length == 0) {
                throw new ExpertException("its URL answered no bytes");
            }
            return image;
        }
    }

    private ExpertException tooLarge() {
        return new ExpertException("it is larger than " + maxBytes + " bytes (larkway.reply.max-image-bytes)");
    }
}
