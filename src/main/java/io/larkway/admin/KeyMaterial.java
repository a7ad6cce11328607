package io.larkway.admin;

import io.larkway.platform.LarkwayProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The bootstrap admin key and the master key. When unset on the embedded (H2) default, each is
 * generated once into the data directory; on any other database they must be configured, so
 * several instances never disagree.
 */
@Component
public class KeyMaterial {
    private static final Logger LOG = LoggerFactory.getLogger(KeyMaterial.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String adminKeyHash;
    private final SecretCipher cipher;
    private final byte[] masterBytes;

    public KeyMaterial(LarkwayProperties props, Environment env) {
        boolean embedded = env.getProperty("spring.datasource.url", "").startsWith("jdbc:h2:");
        String admin = props.adminKey();
        if (admin.isBlank()) {
            admin = fromDataDir(props.dataDir().resolve("admin.key"), embedded, "larkway.admin-key",
                    () -> "lwa_" + randomToken(), true);
        }
        this.adminKeyHash = sha256Hex(admin);
        String master = props.masterKey();
        if (master.isBlank()) {
            master = fromDataDir(props.dataDir().resolve("master.key"), embedded, "larkway.master-key",
                    () -> Base64.getEncoder().encodeToString(randomBytes(32)), false);
        }
        byte[] masterBytes;
        try {
            masterBytes = Base64.getDecoder().decode(master.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("larkway.master-key must be base64 of 32 bytes");
        }
        this.cipher = new SecretCipher(masterBytes);
        this.masterBytes = masterBytes.clone();
    }

    /** A key for {@code purpose} (HMAC-SHA256 of the purpose under the master key): each use of the key material gets its own. */
    public byte[] derivedKey(String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(masterBytes, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public SecretCipher cipher() { return cipher; }

    public boolean isAdminKey(String presented) {
        return MessageDigest.isEqual(adminKeyHash.getBytes(StandardCharsets.US_ASCII), sha256Hex(presented).getBytes(StandardCharsets.US_ASCII));
    }

    public static String randomToken() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    }

    public static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String fromDataDir(Path file, boolean embedded, String property, java.util.function.Supplier<String> generate, boolean logOnce) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            if (!embedded) {
                throw new IllegalStateException(property + " must be set when the database is not the embedded H2 default");
            }
            Files.createDirectories(file.getParent());
            String value = generate.get();
            Files.writeString(file, value + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            if (logOnce) {
                LOG.info("Generated the admin key into {} (ends in {})", file.toRealPath(), value.substring(value.length() - 4));
            } else {
                LOG.info("Generated {} into {}", property, file.toAbsolutePath());
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }
}
