package io.larkway.camel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PackageScanResourceResolver;
import org.apache.camel.spi.Resource;
import org.apache.camel.spring.boot.FatJarPackageScanResourceResolver;
import org.apache.camel.support.PluginHelper;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Camel's classpath scans (its dev consoles, twice at every start; {@code classpath:} route patterns) go
 * through Spring's resource resolver, which lists a jar nested in the Spring Boot jar from its central
 * directory. Camel's own resolver for fat jars reads the whole outer jar through a {@code JarInputStream},
 * inflating every entry of it, once per jar that holds a match: with the dev consoles on, that was about
 * 40 % of larkway's CPU before it answered healthy (bench/README.md, start-up). Installed while the beans
 * are created, before the Camel context initialises (on the context refresh).
 */
@Component
public class ClasspathScan extends FatJarPackageScanResourceResolver {
    private final PathMatchingResourcePatternResolver spring;

    public ClasspathScan(CamelContext camel) {
        this.spring = new PathMatchingResourcePatternResolver(camel.getApplicationContextClassLoader());
        setCamelContext(camel);
        camel.getCamelContextExtension().addContextPlugin(PackageScanResourceResolver.class, this);
    }

    @Override
    protected void findInClasspath(String packageName, Set<Resource> resources, String subPattern, Predicate<String> filter) {
        String dir = ".".equals(packageName) ? "" : packageName.replace('.', '/');
        dir = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
        String prefix = dir.isEmpty() ? "" : dir + "/";
        try {
            for (org.springframework.core.io.Resource found : spring.getResources("classpath*:" + prefix + subPattern)) {
                if (!found.isReadable()) {
                    continue; // a directory
                }
                String url = found.getURL().toString();
                int at = prefix.isEmpty() ? url.lastIndexOf("!/") + 2 : url.lastIndexOf("/" + prefix) + 1;
                String entry = url.substring(at);
                if (filter == null || filter.test(entry)) {
                    resources.add(PluginHelper.getResourceLoader(getCamelContext()).resolveResource("classpath:" + entry));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("classpath scan of " + prefix + subPattern, e);
        }
    }
}
