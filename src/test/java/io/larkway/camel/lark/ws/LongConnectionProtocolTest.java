package io.larkway.camel.lark.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Endpoint answers, failure classification, ClientConfig merging and multi-part reassembly. */
class LongConnectionProtocolTest {
    private final ObjectMapper json = new ObjectMapper();
    private final EndpointClient endpoints = new EndpointClient(json, Duration.ofSeconds(1), Duration.ofSeconds(1));

    private ConnectionEndpoint parse(int status, String body) {
        return endpoints.parse(status, body.getBytes(StandardCharsets.UTF_8), ClientConfig.SDK_DEFAULTS);
    }

    @Test
    void endpointAnswerReadsUrlIdsAndConfig() {
        ConnectionEndpoint ep = parse(200, """
                {"code":0,"msg":"ok","data":{"URL":"wss://x.example/ws/v2?service_id=33&fpid=1&device_id=dev9&ticket=t",
                 "ClientConfig":{"ReconnectCount":5,"ReconnectInterval":10,"ReconnectNonce":2,"PingInterval":60}}}""");
        assertThat(ep.deviceId()).isEqualTo("dev9");
        assertThat(ep.serviceId()).isEqualTo(33);
        assertThat(ep.clientConfig()).isEqualTo(new ClientConfig(5, 10, 2, 60));
        assertThat(ep.safeUrl()).isEqualTo("wss://x.example/ws/v2");
    }

    @Test
    void partialClientConfigKeepsTheRest() {
        assertThat(ClientConfig.SDK_DEFAULTS.merge(json.createObjectNode().put("PingInterval", 5))).isEqualTo(new ClientConfig(-1, 120, 30, 5));
    }

    @Test
    void endpointCodesAreClassifiedAsTheSdk() {
        assertThat(failure(() -> parse(200, "{\"code\":1,\"msg\":\"busy\"}")).fatal()).isFalse();
        assertThat(failure(() -> parse(200, "{\"code\":1000040343,\"msg\":\"internal\"}")).fatal()).isFalse();
        assertThat(failure(() -> parse(502, "bad gateway")).fatal()).isFalse();
        assertThat(failure(() -> parse(200, "{\"code\":514,\"msg\":\"auth failed\"}")).fatal()).isTrue();
        assertThat(failure(() -> parse(200, "{\"code\":403,\"msg\":\"forbidden\"}")).fatal()).isTrue();
        assertThat(failure(() -> parse(200, "{\"code\":1000040350,\"msg\":\"limit\"}")).fatal()).isTrue();
        assertThat(failure(() -> parse(200, "{\"code\":4242}")).fatal()).isTrue();
        assertThat(failure(() -> parse(200, "{\"code\":0,\"data\":{}}")).fatal()).isFalse();
    }

    @Test
    void handshakeHeadersAreClassifiedCaseInsensitively() {
        assertThat(LongConnectionException.handshake(400, Map.of("handshake-status", "403", "Handshake-Msg", "no")).fatal()).isTrue();
        LongConnectionException limit = LongConnectionException.handshake(400,
                Map.of("HANDSHAKE-STATUS", "514", "handshake-autherrcode", "1000040350", "Handshake-Msg", "too many"));
        assertThat(limit.fatal()).isTrue();
        assertThat(limit.getMessage()).contains("connection limit").contains("too many");
        assertThat(LongConnectionException.handshake(400, Map.of("Handshake-Status", "514", "Handshake-Autherrcode", "1")).fatal()).isFalse();
        assertThat(LongConnectionException.handshake(502, Map.of()).fatal()).isFalse();
    }

    @Test
    void reassemblesInSeqOrderWhateverTheArrivalOrder() {
        FrameAssembler assembler = new FrameAssembler(1000);
        assertThat(assembler.add("m", 3, 2, bytes("c"), 0)).isNull();
        assertThat(assembler.add("m", 3, 0, bytes("a"), 1)).isNull();
        assertThat(assembler.add("other", 2, 0, bytes("x"), 1)).isNull();
        assertThat(new String(assembler.add("m", 3, 1, bytes("b"), 2), StandardCharsets.UTF_8)).isEqualTo("abc");
        assertThat(assembler.pending()).isEqualTo(1);
        assertThat(new String(assembler.add("single", 1, 0, bytes("s"), 3), StandardCharsets.UTF_8)).isEqualTo("s");
    }

    @Test
    void stalePartialsAreDropped() {
        FrameAssembler assembler = new FrameAssembler(1000);
        assembler.add("m", 2, 0, bytes("a"), 0);
        assertThat(assembler.dropStale(2000)).isEqualTo(1);
        // the late second part starts a new partial instead of completing a stale one
        assertThat(assembler.add("m", 2, 1, bytes("b"), 2001)).isNull();
        assertThatThrownBy(() -> assembler.add("m", 2, 2, bytes("z"), 2002)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static LongConnectionException failure(Runnable r) {
        try {
            r.run();
        } catch (LongConnectionException e) {
            return e;
        }
        throw new AssertionError("no LongConnectionException");
    }
}
