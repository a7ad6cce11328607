package io.larkway.platform;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Which addresses are not on the public internet (the experts' guard and the webhook URL's check share this). */
public final class NetworkAddresses {
    private NetworkAddresses() {
    }

    /**
     * Loopback, link-local, private, CGNAT, unspecified, multicast, reserved, and IPv6 forms that embed such an IPv4
     * address (compatible, mapped, SIIT, NAT64, 6to4, Teredo).
     */
    public static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 // "this network"
                    || (first == 100 && second >= 64 && second < 128) // 100.64.0.0/10 shared (CGNAT)
                    || (first == 198 && (second == 18 || second == 19)) // 198.18.0.0/15 benchmarking
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24 protocol assignments
                    || first >= 240; // reserved and broadcast
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) { // fc00::/7 unique local
                return true;
            }
            // IPv6 forms that a host, gateway or relay turns into an IPv4 address: that address decides
            boolean zeros = true;
            for (int i = 0; i < 8; i++) {
                zeros &= b[i] == 0;
            }
            int w4 = ((b[8] & 0xff) << 8) | (b[9] & 0xff);
            int w5 = ((b[10] & 0xff) << 8) | (b[11] & 0xff);
            int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
            int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            boolean zeroMiddle = b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0 && w4 == 0 && w5 == 0;
            if (zeros && ((w4 == 0 && (w5 == 0 || w5 == 0xffff)) || (w4 == 0xffff && w5 == 0))) {
                // ::a.b.c.d (compatible), ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (SIIT translated)
                return isPrivate4(b[12], b[13], b[14], b[15]);
            }
            if (w0 == 0x64 && w1 == 0xff9b) {
                // NAT64: the well-known prefix 64:ff9b::/96 embeds the address; the rest (local-use 64:ff9b:1::/48) is private
                return !zeroMiddle || isPrivate4(b[12], b[13], b[14], b[15]);
            }
            if (w0 == 0x2002) { // 6to4: 2002:AABB:CCDD::/48
                return isPrivate4(b[2], b[3], b[4], b[5]);
            }
            if (w0 == 0x2001 && w1 == 0) { // Teredo: the client's address, inverted, in the last 32 bits
                return isPrivate4((byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]);
            }
        }
        return false;
    }

    private static boolean isPrivate4(byte a, byte b, byte c, byte d) {
        try {
            return isPrivate(InetAddress.getByAddress(new byte[] {a, b, c, d}));
        } catch (UnknownHostException e) {
            return true; // cannot happen with 4 bytes
        }
    }
}
