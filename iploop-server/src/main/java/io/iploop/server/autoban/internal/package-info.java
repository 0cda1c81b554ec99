/** Auto-ban rules implementation: the rule evaluation, its job, its tables and the admin controller. */
@NullMarked
package io.iploop.server.autoban.internal;

import org.jspecify.annotations.NullMarked;
