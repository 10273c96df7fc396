package org.pavilion.marketplace.local;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Present unless {@code pavilion.marketplace.local.enabled=false}: the local marketplace is offered at Go live
 * whatever the configured mode (issue 14 item 3), so a researcher on a sandbox or production server can still
 * try a task with no money moving. It answers only this machine and logged-in admins unless
 * {@code pavilion.marketplace.local.open-to-network}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ConditionalOnProperty(name = "pavilion.marketplace.local.enabled", havingValue = "true", matchIfMissing = true)
public @interface ConditionalOnLocalMarketplace {
}
