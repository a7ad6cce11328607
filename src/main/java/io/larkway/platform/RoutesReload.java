package io.larkway.platform;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * {@code larkway.routes-reload} (development): Camel's route reload on {@code larkway.routes-dir}, an
 * edited {@code *.yaml} replacing the routes of that file only (never remove-all: the API's routes are
 * Java, no file brings them back). Camel keeps the running routes when a file does not parse, but drops
 * a file's routes before it creates them again, so a route that parses and cannot be created (an unknown
 * component, a missing bean) would leave none; here the file's previous routes are put back then, and the
 * log says why in one line.
 */
@Component
@ConditionalOnProperty(name = FlowRoutes.RELOAD, havingValue = "true")
public class RoutesReload implements CamelContextConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(RoutesReload.class);
    private final Path dir;

    public RoutesReload(Environment env) {
        this.dir = FlowRoutes.watchedDirectory(env).orElse(null);
    }

    @Override
    public void beforeApplicationStart(CamelContext camel) {
        if (dir == null) {
            LOG.warn("{} is on but the flow's routes come from {}, not a directory that can be watched: nothing reloads (set larkway.routes-dir)",
                    FlowRoutes.RELOAD, camel.getPropertiesComponent().resolveProperty(FlowRoutes.PATTERN).orElse("the jar"));
            return;
        }
        LOG.warn("Route reload is on ({}): an edit of {}/*.yaml goes live without a restart. A development switch: in production, "
                + "change routes by a rolling restart", FlowRoutes.RELOAD, dir);
        Watcher watcher = new Watcher(dir);
        watcher.setPattern("*.yaml");
        watcher.setRemoveAllRoutes(false);
        try {
            camel.addService(watcher);
        } catch (Exception e) {
            throw new IllegalStateException("route reload on " + dir + " could not start", e);
        }
    }

    @Override
    public void afterApplicationStart(CamelContext camel) {
    }

    static final class Watcher extends RouteWatcherReloadStrategy {
        Watcher(Path dir) {
            super(dir.toString(), false);
        }

        @Override
        protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
            if (resources.stream().allMatch(Watcher::empty)) {
                return; // a save in progress (truncated, not written yet): the next event has the content
            }
            Model model = getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
            List<String> edited = resources.stream().map(Resource::getLocation).toList();
            List<RouteDefinition> previous = model.getRouteDefinitions().stream()
                    .filter(r -> r.getResource() != null && edited.contains(r.getResource().getLocation())).toList();
            try {
                super.onRouteReload(resources, removeEverything);
            } catch (RuntimeException e) {
                List<RouteDefinition> lost = previous.stream().filter(r -> getCamelContext().getRoute(r.getRouteId()) == null).toList();
                try {
                    model.addRouteDefinitions(lost);
                } catch (Exception restore) {
                    LOG.error("Routes {} of {} could not be put back: {}", lost.stream().map(RouteDefinition::getRouteId).toList(), edited,
                            restore.toString());
                }
                LOG.warn("Route file {} does not load; its previous routes {} keep running: {}", edited,
                        previous.stream().map(RouteDefinition::getRouteId).toList(), reason(e));
            }
        }

        private static boolean empty(Resource resource) {
            try {
                return resource.getURI() != null && "file".equals(resource.getURI().getScheme())
                        && java.nio.file.Files.size(Path.of(resource.getURI())) == 0;
            } catch (java.io.IOException e) {
                return false;
            }
        }

        private static String reason(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t instanceof org.apache.camel.RuntimeCamelException)) {
                t = t.getCause();
            }
            // a YAML error's first line says what, a later one where (file, line, column)
            List<String> lines = String.valueOf(t.getMessage()).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            String where = lines.stream().skip(1).filter(l -> l.contains(", line ")).findFirst().map(l -> " (" + l.replaceAll(":$", "") + ")").orElse("");
            return (lines.isEmpty() ? "unknown" : lines.get(0)) + where;
        }
    }
}
