package io.larkway.flow;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/**
 * A database of its own for the instances a test starts by hand. On the embedded default their
 * data dir already gives them one. On PostgreSQL (the CI's second pass, {@code
 * -Dspring.datasource.url=...}) every test context shares the one database, so the contexts other
 * test classes keep alive are instances too: they would take part, connect to the same apps and
 * take over work. This creates a fresh database on the same server instead.
 */
public final class OwnDatabase {
    private OwnDatabase() {
    }

    /** Arguments for every instance that is to share the new database (none on the embedded default). */
    static List<String> args() {
        String url = url();
        return url == null ? List.of() : List.of("--spring.datasource.url=" + url);
    }

    /** The URL of a new database on the tests' PostgreSQL server; {@code null} on the embedded default. */
    public static String url() {
        String url = System.getProperty("spring.datasource.url");
        if (url == null) {
            return null;
        }
        if (!url.matches("jdbc:postgresql://[^/]+/[^/?]+(\\?.*)?")) {
            throw new IllegalStateException("tests that start their own instances know only the embedded H2 and PostgreSQL: " + url);
        }
        String name = "larkway_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(url, System.getProperty("spring.datasource.username"),
                System.getProperty("spring.datasource.password")); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create a test database on " + url, e);
        }
        return url.replaceFirst("^(jdbc:postgresql://[^/]+/)[^/?]+", "$1" + name);
    }
}
