package io.larkway.camel.lark.client;

import io.larkway.camel.lark.LarkApp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.emulator.LarkEmulator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The Open API client and its token cache against the emulator. */
class LarkApiClientTest {
    static final LarkEmulator LARK = LarkEmulator.shared();

    LarkApiClient client() {
        return new LarkApiClient(new ObjectMapper(), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMinutes(3), Clock.systemUTC());
    }

    LarkApp app(LarkEmulator.App a) {
        return new LarkApp(LARK.baseUrl(), a.appId(), a.appSecret());
    }

    @Test
    void oneTokenFetchServesManyCalls() {
        LarkEmulator.App a = LARK.newApp();
        LarkApiClient client = client();
        for (int n = 0; n < 10; n++) {
            assertThat(client.botInfo(app(a)).join().openId()).isEqualTo(a.botOpenId());
        }
        assertThat(LARK.tokenFetches(a.appId())).isEqualTo(1);
    }

    @Test
    void invalidTokenAnswerRefetchesAndRetriesOnce() {
        LarkEmulator.App a = LARK.newApp();
        LarkApiClient client = client();
        client.botInfo(app(a)).join();
        LARK.invalidateTokens();
        assertThat(client.botInfo(app(a)).join().name()).isEqualTo(a.botName());
        assertThat(LARK.tokenFetches(a.appId())).isEqualTo(2);
    }

    @Test
    void concurrentCallersShareOneFetch() {
        LarkEmulator.App a = LARK.newApp();
        LarkApiClient client = client();
        LARK.tokenDelayMs(300);
        try {
            List<CompletableFuture<BotInfo>> calls = IntStream.range(0, 50).mapToObj(n -> client.botInfo(app(a))).toList();
            calls.forEach(CompletableFuture::join);
        } finally {
            LARK.tokenDelayMs(0);
        }
        assertThat(LARK.tokenFetches(a.appId())).isEqualTo(1);
    }

    @Test
    void tokenIsRefetchedWhenItNearsExpiry() {
        LarkEmulator.App a = LARK.newApp();
        LarkApiClient client = client();
        LARK.tokenExpireSeconds(100); // under the 3 min margin: never reusable
        try {
            client.botInfo(app(a)).join();
            client.botInfo(app(a)).join();
        } finally {
            LARK.tokenExpireSeconds(7200);
        }
        assertThat(LARK.tokenFetches(a.appId())).isEqualTo(2);
    }

    @Test
    void badCredentialsFailWithLarksMessageAndAreNotCached() {
        LarkEmulator.App a = LARK.newApp();
        LarkApiClient client = client();
        LarkApp wrong = new LarkApp(LARK.baseUrl(), a.appId(), "wrong");
        assertThatThrownBy(() -> client.botInfo(wrong).join()).hasRootCauseInstanceOf(LarkApiException.class)
                .rootCause().hasMessageContaining("app secret invalid");
        assertThatThrownBy(() -> client.botInfo(wrong).join()).isNotNull();
        assertThat(LARK.tokenFetches(a.appId())).isEqualTo(2);
    }

    @Test
    void serverErrorsAreRetryableAndBusinessErrorsAreNot() {
        LarkEmulator.App a = LARK.newApp();
        LarkApiClient client = client();
        LARK.failNext("GET", "/open-apis/bot/v3/info", 1, 503, "{\"code\":-1,\"msg\":\"unavailable\"}");
        LarkApiException e = LarkApiClient.unwrap(catchFailure(() -> client.botInfo(app(a)).join()));
        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(e.retryable()).isTrue();
        LARK.failNext("GET", "/open-apis/bot/v3/info", 1, 400, "{\"code\":230002,\"msg\":\"bot not in chat\"}");
        LarkApiException business = LarkApiClient.unwrap(catchFailure(() -> client.botInfo(app(a)).join()));
        assertThat(business.code()).isEqualTo(230002);
        assertThat(business.retryable()).isFalse();
    }

    private static Throwable catchFailure(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }
}
