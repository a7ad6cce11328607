package io.larkway.camel.lark.ws;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One pbbp2 frame of Lark's long connection (see {@link FrameCodec} for the wire form).
 * {@code method} 0 is a control frame (ping/pong), 1 a data frame (event/card). Immutable;
 * {@code payload} may be null (absent), and arrays compare by reference in {@link #equals}.
 */
public record Frame(long seqId, long logId, int service, int method, List<Header> headers, String payloadEncoding, String payloadType,
        byte[] payload, String logIdNew) {

    public static final int CONTROL = 0;
    public static final int DATA = 1;

    /** One key/value header of a frame. */
    public record Header(String key, String value) {
    }

    public Frame {
        headers = List.copyOf(headers);
    }

    /** A ping as Lark's SDK sends it: control, header type=ping, the service id of the endpoint URL. */
    public static Frame ping(int service) {
        return new Frame(0, 0, service, CONTROL, List.of(new Header("type", "ping")), null, null, null, null);
    }

    /** The first value of a header, or null. Keys are matched exactly, as the SDKs do. */
    public String header(String key) {
        for (Header h : headers) {
            if (h.key().equals(key)) {
                return h.value();
            }
        }
        return null;
    }

    /** The header {@code type} ({@code ping}, {@code pong}, {@code event}, {@code card}). */
    public String type() {
        return header("type");
    }

    public boolean isControl() {
        return method == CONTROL;
    }

    public boolean isData() {
        return method == DATA;
    }

    public Frame withHeader(String key, String value) {
        List<Header> more = new ArrayList<>(headers);
        more.add(new Header(key, value));
        return new Frame(seqId, logId, service, method, more, payloadEncoding, payloadType, payload, logIdNew);
    }

    public Frame withPayload(byte[] bytes) {
        return new Frame(seqId, logId, service, method, headers, payloadEncoding, payloadType, bytes, logIdNew);
    }

    /**
     * The acknowledgement of this data frame: the same frame with header {@code biz_rt}
     * (processing milliseconds) and payload {@code {"code":200}} (or the given code).
     */
    public Frame ack(int code, long bizRtMillis) {
        return ack(code, bizRtMillis, null);
    }

    /**
     * As {@link #ack(int, long)}, with the answer to a card callback ({@code data}: the JSON bytes,
     * base64 in the payload, as Lark's server reads a Go {@code []byte}); none when null.
     */
    public Frame ack(int code, long bizRtMillis, byte[] data) {
        String payload = "{\"code\":" + code + (data == null ? "" : ",\"data\":\"" + java.util.Base64.getEncoder().encodeToString(data) + "\"") + "}";
        return withHeader("biz_rt", Long.toString(bizRtMillis)).withPayload(payload.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Frame[seq=" + seqId + ", log=" + logId + ", service=" + service + ", method=" + method + ", headers=" + headers
                + ", payload=" + (payload == null ? "none" : payload.length + " bytes") + "]";
    }
}
