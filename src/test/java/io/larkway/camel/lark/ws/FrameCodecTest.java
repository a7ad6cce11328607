package io.larkway.camel.lark.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lark.oapi.google.protobuf.ByteString;
import com.lark.oapi.ws.pb.Pbbp2;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Our hand-written pbbp2 codec against the official SDK's generated {@code Pbbp2} classes, both ways. */
class FrameCodecTest {

    private static Frame sample() {
        return new Frame(Long.MAX_VALUE - 3, 1234567890123L, 7, Frame.DATA,
                List.of(new Frame.Header("type", "event"), new Frame.Header("message_id", "m1"), new Frame.Header("sum", "1"),
                        new Frame.Header("seq", "0"), new Frame.Header("trace_id", "t-é")),
                "gzip", "json", "{\"a\":\"中文\"}".getBytes(StandardCharsets.UTF_8), "log-new");
    }

    @Test
    void ourBytesParseWithTheSdkAndBack() throws Exception {
        Frame ours = sample();
        Pbbp2.Frame sdk = Pbbp2.Frame.parseFrom(FrameCodec.encode(ours));
        assertThat(sdk.getSeqID()).isEqualTo(ours.seqId());
        assertThat(sdk.getLogID()).isEqualTo(ours.logId());
        assertThat(sdk.getService()).isEqualTo(7);
        assertThat(sdk.getMethod()).isEqualTo(1);
        assertThat(sdk.getHeadersList()).extracting(Pbbp2.Header::getKey).containsExactly("type", "message_id", "sum", "seq", "trace_id");
        assertThat(sdk.getHeaders(4).getValue()).isEqualTo("t-é");
        assertThat(sdk.getPayloadEncoding()).isEqualTo("gzip");
        assertThat(sdk.getPayloadType()).isEqualTo("json");
        assertThat(sdk.getPayload().toByteArray()).isEqualTo(ours.payload());
        assertThat(sdk.getLogIDNew()).isEqualTo("log-new");
        // same bytes as the SDK's serialisation of the same message
        assertThat(FrameCodec.encode(ours)).isEqualTo(sdk.toByteArray());
    }

    @Test
    void sdkBytesDecode() {
        Pbbp2.Frame sdk = Pbbp2.Frame.newBuilder().setSeqID(5).setLogID(6).setService(42).setMethod(0)
                .addHeaders(Pbbp2.Header.newBuilder().setKey("type").setValue("pong"))
                .setPayload(ByteString.copyFromUtf8("{\"PingInterval\":3}")).build();
        Frame ours = FrameCodec.decode(sdk.toByteArray());
        assertThat(ours.seqId()).isEqualTo(5);
        assertThat(ours.logId()).isEqualTo(6);
        assertThat(ours.service()).isEqualTo(42);
        assertThat(ours.isControl()).isTrue();
        assertThat(ours.type()).isEqualTo("pong");
        assertThat(new String(ours.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"PingInterval\":3}");
        assertThat(ours.payloadEncoding()).isNull();
        assertThat(ours.logIdNew()).isNull();
    }

    @Test
    void pingMatchesTheSdksPing() throws Exception {
        Pbbp2.Frame sdkPing = Pbbp2.Frame.newBuilder().setService(99).setMethod(0)
                .addHeaders(Pbbp2.Header.newBuilder().setKey("type").setValue("ping").build()).setSeqID(0).setLogID(0).build();
        assertThat(FrameCodec.encode(Frame.ping(99))).isEqualTo(sdkPing.toByteArray());
    }

    @Test
    void ackIsTheSameFrameWithBizRtAndCode() throws Exception {
        Frame data = sample();
        Pbbp2.Frame sdkAck = Pbbp2.Frame.parseFrom(FrameCodec.encode(data.ack(200, 12)));
        assertThat(sdkAck.getSeqID()).isEqualTo(data.seqId());
        assertThat(sdkAck.getLogID()).isEqualTo(data.logId());
        assertThat(sdkAck.getHeadersList()).extracting(Pbbp2.Header::getKey).endsWith("trace_id", "biz_rt");
        assertThat(sdkAck.getHeaders(5).getValue()).isEqualTo("12");
        assertThat(sdkAck.getPayload().toStringUtf8()).isEqualTo("{\"code\":200}");
    }

    @Test
    void roundTripAndUnknownFieldsSkipped() {
        Frame ours = sample();
        Frame back = FrameCodec.decode(FrameCodec.encode(ours));
        assertThat(back.headers()).isEqualTo(ours.headers());
        assertThat(back.payload()).isEqualTo(ours.payload());
        assertThat(back.seqId()).isEqualTo(ours.seqId());
        byte[] withUnknown = concat(FrameCodec.encode(ours), new byte[] {(byte) (15 << 3), 1}); // field 15 varint 1
        assertThat(FrameCodec.decode(withUnknown).type()).isEqualTo("event");
    }

    @Test
    void garbageIsRefused() {
        assertThatThrownBy(() -> FrameCodec.decode(new byte[] {(byte) 0x42, (byte) 0xff})).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
