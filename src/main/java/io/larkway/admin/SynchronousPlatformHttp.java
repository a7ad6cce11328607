package io.larkway.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.core.env.Environment;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * camel-platform-http on Spring MVC, run on the servlet thread. The stock Spring Boot engine hands
 * every request to a task executor and answers through an async servlet dispatch (a second pass
 * through the filters and the DispatcherServlet); larkway's HTTP routes are short (a few checks and
 * one database write), so that hop cost more than the work: about a sixth of the webhook's CPU in
 * the benchmark. Here the consumer runs the route on the Tomcat request thread, as a plain
 * {@code @RestController} would, and its already-completed future is taken as "handled" instead of
 * starting async processing. Routes, bindings and the request mapping are Camel's own.
 */
@Configuration(proxyBeanMethods = false)
public class SynchronousPlatformHttp {

    /**
     * Replaces the stock engine (it is {@code @ConditionalOnMissingBean}). With a direct executor
     * the stock consumer runs the route on the calling thread and returns a completed future.
     */
    @Bean(name = "platform-http-engine")
    PlatformHttpEngine synchronousPlatformHttpEngine(Environment env) {
        return new SpringBootPlatformHttpEngine(Integer.parseInt(env.getProperty("server.port", "8080")), Runnable::run);
    }

    /** Puts {@link CompletedFutures} before Spring's own handler of futures. */
    @Bean
    static BeanPostProcessor synchronousPlatformHttpReturnValues() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getReturnValueHandlers() != null) {
                    List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>();
                    handlers.add(new CompletedFutures());
                    handlers.addAll(adapter.getReturnValueHandlers());
                    adapter.setReturnValueHandlers(handlers);
                }
                return bean;
            }
        };
    }

    /** The response of a synchronous consumer is written already: nothing left for Spring MVC to do. */
    static final class CompletedFutures implements HandlerMethodReturnValueHandler {
        @Override
        public boolean supportsReturnType(MethodParameter returnType) {
            return SpringBootPlatformHttpConsumer.class.isAssignableFrom(returnType.getContainingClass());
        }

        @Override
        public void handleReturnValue(Object value, MethodParameter returnType, ModelAndViewContainer mav, NativeWebRequest request) {
            if (!(value instanceof CompletableFuture<?> future) || !future.isDone()) {
                throw new IllegalStateException("platform-http consumer did not finish on the servlet thread");
            }
            mav.setRequestHandled(true);
        }
    }
}
