package io.larkway.camel.lark.ws;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.larkway.camel.lark.ws.pbbp2.Pbbp2;

/**
 * Encodes and decodes pbbp2 frames with the classes protoc generates from
 * {@code src/main/proto/pbbp2.proto} (Lark's proto2 definition: {@code 1 SeqID, 2 LogID,
 * 3 service, 4 method, 5 headers, 6 payload_encoding, 7 payload_type, 8 payload, 9 LogIDNew}).
 * Absent optional fields are left out; unknown fields are skipped on decode; a frame missing a
 * required field decodes with its default (as before the generated code: Lark always sends them).
 */
public final class FrameCodec {
    private FrameCodec() {
    }

    public static byte[] encode(Frame f) {
        Pbbp2.Frame.Builder b = Pbbp2.Frame.newBuilder().setSeqID(f.seqId()).setLogID(f.logId()).setService(f.service()).setMethod(f.method());
        f.headers().forEach(h -> b.addHeaders(Pbbp2.Header.newBuilder().setKey(h.key()).setValue(h.value())));
        if (f.payloadEncoding() != null) {
            b.setPayloadEncoding(f.payloadEncoding());
        }
        if (f.payloadType() != null) {
            b.setPayloadType(f.payloadType());
        }
        if (f.payload() != null) {
            b.setPayload(ByteString.copyFrom(f.payload()));
        }
        if (f.logIdNew() != null) {
            b.setLogIDNew(f.logIdNew());
        }
        return b.build().toByteArray();
    }

    /** Decodes one frame; throws {@link IllegalArgumentException} on bytes that are not a frame. */
    public static Frame decode(byte[] bytes) {
        Pbbp2.Frame p;
        try {
            p = Pbbp2.Frame.parser().parsePartialFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a pbbp2 frame: " + e.getMessage(), e);
        }
        return new Frame(p.getSeqID(), p.getLogID(), p.getService(), p.getMethod(),
                p.getHeadersList().stream().map(h -> new Frame.Header(h.getKey(), h.getValue())).toList(),
                p.hasPayloadEncoding() ? p.getPayloadEncoding() : null, p.hasPayloadType() ? p.getPayloadType() : null,
                p.hasPayload() ? p.getPayload().toByteArray() : null, p.hasLogIDNew() ? p.getLogIDNew() : null);
    }
}
