package io.larkway.camel.lark.ws;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes pbbp2 frames (proto2) with protobuf-java's coded streams, field for field
 * as Lark's {@code pbbp2.proto}: {@code 1 SeqID uint64, 2 LogID uint64, 3 service int32,
 * 4 method int32, 5 headers repeated Header{1 key, 2 value}, 6 payload_encoding, 7 payload_type,
 * 8 payload bytes, 9 LogIDNew}. Fields 1-4 are required in the proto, so they are always
 * written; absent optional fields are left out. Unknown fields are skipped on decode.
 */
public final class FrameCodec {
    private FrameCodec() {
    }

    public static byte[] encode(Frame f) {
        try {
            byte[] out = new byte[size(f)];
            CodedOutputStream o = CodedOutputStream.newInstance(out);
            o.writeUInt64(1, f.seqId());
            o.writeUInt64(2, f.logId());
            o.writeInt32(3, f.service());
            o.writeInt32(4, f.method());
            for (Frame.Header h : f.headers()) {
                o.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                o.writeUInt32NoTag(headerSize(h));
                o.writeString(1, h.key());
                o.writeString(2, h.value());
            }
            if (f.payloadEncoding() != null) {
                o.writeString(6, f.payloadEncoding());
            }
            if (f.payloadType() != null) {
                o.writeString(7, f.payloadType());
            }
            if (f.payload() != null) {
                o.writeByteArray(8, f.payload());
            }
            if (f.logIdNew() != null) {
                o.writeString(9, f.logIdNew());
            }
            o.checkNoSpaceLeft();
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("frame size miscalculated", e);
        }
    }

    /** Decodes one frame; throws {@link IllegalArgumentException} on bytes that are not a frame. */
    public static Frame decode(byte[] bytes) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            long seqId = 0;
            long logId = 0;
            int service = 0;
            int method = 0;
            List<Frame.Header> headers = new ArrayList<>();
            String encoding = null;
            String type = null;
            byte[] payload = null;
            String logIdNew = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (tag) {
                    case (1 << 3) | WireFormat.WIRETYPE_VARINT -> seqId = in.readUInt64();
                    case (2 << 3) | WireFormat.WIRETYPE_VARINT -> logId = in.readUInt64();
                    case (3 << 3) | WireFormat.WIRETYPE_VARINT -> service = in.readInt32();
                    case (4 << 3) | WireFormat.WIRETYPE_VARINT -> method = in.readInt32();
                    case (5 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> headers.add(header(in));
                    case (6 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> encoding = in.readStringRequireUtf8();
                    case (7 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> type = in.readStringRequireUtf8();
                    case (8 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> payload = in.readByteArray();
                    case (9 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> logIdNew = in.readStringRequireUtf8();
                    default -> in.skipField(tag);
                }
            }
            return new Frame(seqId, logId, service, method, headers, encoding, type, payload, logIdNew);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a pbbp2 frame: " + e.getMessage(), e);
        }
    }

    private static Frame.Header header(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        String key = "";
        String value = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> key = in.readStringRequireUtf8();
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> value = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return new Frame.Header(key, value);
    }

    private static int headerSize(Frame.Header h) {
        return CodedOutputStream.computeStringSize(1, h.key()) + CodedOutputStream.computeStringSize(2, h.value());
    }

    private static int size(Frame f) {
        int size = CodedOutputStream.computeUInt64Size(1, f.seqId()) + CodedOutputStream.computeUInt64Size(2, f.logId())
                + CodedOutputStream.computeInt32Size(3, f.service()) + CodedOutputStream.computeInt32Size(4, f.method());
        for (Frame.Header h : f.headers()) {
            int hs = headerSize(h);
            size += CodedOutputStream.computeTagSize(5) + CodedOutputStream.computeUInt32SizeNoTag(hs) + hs;
        }
        if (f.payloadEncoding() != null) {
            size += CodedOutputStream.computeStringSize(6, f.payloadEncoding());
        }
        if (f.payloadType() != null) {
            size += CodedOutputStream.computeStringSize(7, f.payloadType());
        }
        if (f.payload() != null) {
            size += CodedOutputStream.computeByteArraySize(8, f.payload());
        }
        if (f.logIdNew() != null) {
            size += CodedOutputStream.computeStringSize(9, f.logIdNew());
        }
        return size;
    }
}
