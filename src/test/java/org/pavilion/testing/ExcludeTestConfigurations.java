package org.pavilion.testing;

import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * Excludes classes annotated {@code @TestConfiguration} from component scanning, as {@code @SpringBootTest}
 * does, for a {@code SpringApplication} started by hand from the test class path (the benchmark server,
 * restart tests): the tests' own configurations (echo namespaces, fake endpoints) stay out.
 */
public final class ExcludeTestConfigurations extends TypeExcludeFilter {

    /** Registers the filter on an application about to run. */
    public static void applyTo(org.springframework.boot.SpringApplication app) {
        app.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("testConfigurationsExcludeFilter",
                new ExcludeTestConfigurations()));
    }

    @Override
    public boolean match(MetadataReader reader, MetadataReaderFactory factory) {
        return reader.getAnnotationMetadata().hasAnnotation(TestConfiguration.class.getName());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExcludeTestConfigurations;
    }

    @Override
    public int hashCode() {
        return ExcludeTestConfigurations.class.hashCode();
    }
}
