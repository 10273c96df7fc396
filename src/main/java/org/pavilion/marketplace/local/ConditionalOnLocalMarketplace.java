package org.pavilion.marketplace.local;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Present only when Pavilion's marketplace is the local one ({@code pavilion.marketplace.mode=local},
 * the default): in sandbox and production modes nothing under {@code /local-mturk/} exists.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ConditionalOnProperty(name = "pavilion.marketplace.mode", havingValue = "local", matchIfMissing = true)
public @interface ConditionalOnLocalMarketplace {
}
