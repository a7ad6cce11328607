package io.larkway.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.commons.logging.Log;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;

/**
 * Where the flow's route files come from: {@code larkway.routes-dir} (default {@code ./routes}, the
 * working directory's) when that directory exists, else, for the default only, the routes packaged
 * in the jar ({@code classpath:routes/*.yaml}). Never both: the directory replaces the packaged set
 * (the same route ids twice would clash). A directory set explicitly that does not exist or holds no
 * {@code *.yaml} fails the start, and so does a start whose CamelContext lacks the flow's routes.
 * An explicit {@code camel.main.routes-include-pattern} is left as it is.
 * <p>
 * {@code larkway.routes-reload} (development) watches that directory ({@link RoutesReload}).
 */
public class FlowRoutes implements EnvironmentPostProcessor {
    public static final String DEFAULT_ROUTES_DIR = "./routes";
    static final String PACKAGED = "classpath:routes/*.yaml";
    static final String PATTERN = "camel.main.routes-include-pattern";
    static final String RELOAD = "larkway.routes-reload";
    /** Routes the Java side sends to or the flow cannot run without. */
    static final List<String> REQUIRED = List.of("ingress-webhook", "ingress-long-connection", "inbox-hand-off", "inbox",
            "dispatch", "window", "converse", "turn", "reply");

    private final Log log;

    public FlowRoutes(DeferredLogFactory logs) {
        this.log = logs.getLog(FlowRoutes.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        String explicit = env.getProperty(PATTERN);
        if (explicit != null && !explicit.isBlank()) {
            log.info("Flow routes from " + PATTERN + "=" + explicit + " (larkway.routes-dir not used)");
            return;
        }
        String configured = Binder.get(env).bind("larkway.routes-dir", String.class).orElse(DEFAULT_ROUTES_DIR);
        Path dir = Path.of(configured).toAbsolutePath().normalize();
        String pattern;
        if (Files.isDirectory(dir)) {
            if (!hasYaml(dir)) {
                throw new IllegalStateException("larkway.routes-dir " + dir + " holds no *.yaml route files");
            }
            pattern = "file:" + dir + "/*.yaml";
            log.info("Flow routes from the directory " + dir + " (larkway.routes-dir)");
        } else if (dir.equals(Path.of(DEFAULT_ROUTES_DIR).toAbsolutePath().normalize())) {
            pattern = PACKAGED;
            log.info("Flow routes from the jar (" + PACKAGED + "): there is no " + dir + " directory (larkway.routes-dir)");
        } else {
            throw new IllegalStateException("larkway.routes-dir " + dir + " does not exist or is not a directory");
        }
        // last: any other source that sets the pattern (none by default) would win, as the check above says
        env.getPropertySources().addLast(new MapPropertySource("larkway-flow-routes", Map.of(PATTERN, pattern)));
    }

    /** The routes directory to watch: the one the routes come from ({@code file:<dir>/*.yaml}), none when they come from the jar. */
    static java.util.Optional<Path> watchedDirectory(org.springframework.core.env.Environment env) {
        String pattern = env.getProperty(PATTERN, "");
        return pattern.startsWith("file:") && pattern.endsWith("/*.yaml")
                ? java.util.Optional.of(Path.of(pattern.substring("file:".length(), pattern.length() - "/*.yaml".length())))
                : java.util.Optional.empty();
    }

    private static boolean hasYaml(Path dir) {
        try (DirectoryStream<Path> yaml = Files.newDirectoryStream(dir, "*.yaml")) {
            return yaml.iterator().hasNext();
        } catch (IOException e) {
            throw new UncheckedIOException("larkway.routes-dir " + dir + " cannot be read", e);
        }
    }

    /** Once started, the flow must be there: a service without its routes would answer health UP and lose events. */
    @Component
    static class Check implements ApplicationListener<ApplicationStartedEvent> {
        private final CamelContext camel;

        Check(CamelContext camel) {
            this.camel = camel;
        }

        @Override
        public void onApplicationEvent(ApplicationStartedEvent event) {
            List<String> missing = REQUIRED.stream().filter(id -> camel.getRoute(id) == null).toList();
            if (!missing.isEmpty()) {
                throw new IllegalStateException("The flow's routes " + missing + " are missing from the CamelContext (routes from "
                        + event.getApplicationContext().getEnvironment().getProperty(PATTERN)
                        + "): larkway.routes-dir must hold the whole flow, as in the jar's routes/");
            }
        }
    }
}
