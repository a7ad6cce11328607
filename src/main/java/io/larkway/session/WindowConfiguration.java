package io.larkway.session;

import javax.sql.DataSource;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/** The persistent store of open message windows (tables {@code windows} and {@code windows_completed}, made by Flyway). */
@Configuration(proxyBeanMethods = false)
public class WindowConfiguration {

    @Bean
    JdbcAggregationRepository windowRepository(PlatformTransactionManager transactions, DataSource dataSource) {
        JdbcAggregationRepository repository = new JdbcAggregationRepository(transactions, "windows", dataSource);
        // a window completed but not yet handed on when the instance stopped is handed on again after restart
        repository.setUseRecovery(true);
        repository.setRecoveryInterval(5000);
        return repository;
    }
}
