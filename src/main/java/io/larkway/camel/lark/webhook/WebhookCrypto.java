package io.larkway.camel.lark.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook body decryption and signatures as Lark defines them: AES-256-CBC/PKCS7 with key =
 * SHA-256(encryptKey) and the IV in the first 16 bytes; signature = lowercase hex
 * SHA-256(timestamp + nonce + encryptKey + raw body bytes).
 */
public final class WebhookCrypto {
    private WebhookCrypto() {
    }

    /** Decrypts the {@code encrypt} field; throws {@link IllegalArgumentException} when it does not decrypt. */
    public static String decrypt(String encryptKey, String encrypted) {
        try {
            byte[] all = Base64.getDecoder().decode(encrypted.trim());
            if (all.length < 32 || all.length % 16 != 0) {
                throw new IllegalArgumentException("encrypted body has a bad length");
            }
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(sha256(encryptKey.getBytes(StandardCharsets.UTF_8)), "AES"),
                    new IvParameterSpec(all, 0, 16));
            return new String(cipher.doFinal(all, 16, all.length - 16), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the body does not decrypt with the configured Encrypt Key", e);
        }
    }

    /** Encrypts as Lark does (used by tests and the emulator's webhook sender). */
    public static String encrypt(String encryptKey, String plain, byte[] iv) {
        try {
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sha256(encryptKey.getBytes(StandardCharsets.UTF_8)), "AES"), new IvParameterSpec(iv));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[16 + sealed.length];
            System.arraycopy(iv, 0, out, 0, 16);
            System.arraycopy(sealed, 0, out, 16, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The expected {@code X-Lark-Signature} for a delivery. */
    public static String signature(String timestamp, String nonce, String encryptKey, byte[] rawBody) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((timestamp + nonce + encryptKey).getBytes(StandardCharsets.UTF_8));
            digest.update(rawBody);
            return HexFormat.of().formatHex(digest.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time check of a presented signature (null never matches). */
    public static boolean signatureMatches(String presented, String timestamp, String nonce, String encryptKey, byte[] rawBody) {
        if (presented == null || timestamp == null || nonce == null) {
            return false;
        }
        byte[] expected = signature(timestamp, nonce, encryptKey, rawBody).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, presented.trim().toLowerCase().getBytes(StandardCharsets.US_ASCII));
    }

    /** Constant-time string equality for tokens (null never matches). */
    public static boolean tokenMatches(String expected, String presented) {
        if (expected == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] in) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(in);
    }
}
