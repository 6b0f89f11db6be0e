package io.rusm.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

import java.beans.PropertyDescriptor;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds keys under {@code rusm.components.<name>} and {@code rusm.supervisors.<name>} that bind to
 * nothing. Binding a map of objects ignores unknown fields, so a typo such as
 * {@code rusm.components.greeter.restrat=temporary} would otherwise start silently with the default.
 */
final class UnknownKeys {
    private UnknownKeys() {}

    static void check(Environment environment) {
        check(environment, "rusm.components", RusmProperties.Component.class);
        check(environment, "rusm.supervisors", RusmProperties.Nested.class);
    }

    private static void check(Environment environment, String prefix, Class<?> entryType) {
        ConfigurationPropertyName root = ConfigurationPropertyName.of(prefix);
        Set<String> dashed = known(entryType);
        Set<String> known = new TreeSet<>();
        for (String k : dashed) known.add(uniform(k));
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) continue;
            for (ConfigurationPropertyName name : (Iterable<ConfigurationPropertyName>) iterable.stream()::iterator) {
                // rusm.components.<name>.<key>...: element 2 is the entry, element 3 its key
                if (!root.isAncestorOf(name) || name.getNumberOfElements() < 4) continue;
                // Uniform form (no dashes, lower case) is how the binder matches: max-memory-mb,
                // maxMemoryMb and RUSM_COMPONENTS_X_MAXMEMORYMB all bind, so all are known.
                if (known.contains(uniform(name.getElement(3, ConfigurationPropertyName.Form.UNIFORM)))) continue;
                String key = name.getElement(3, ConfigurationPropertyName.Form.DASHED);
                String entry = prefix + "." + name.getElement(2, ConfigurationPropertyName.Form.ORIGINAL);
                String property = entry + "." + key;
                String suggestion = closest(key, dashed);
                throw new RusmConfigurationException(property,
                        "'" + key + "' is not a property of " + entry + "; known: " + String.join(", ", dashed),
                        (suggestion == null ? "Remove " + property : "Did you mean " + entry + "." + suggestion
                                + "? Rename it") + " (it was set in " + source + ").");
            }
        }
    }

    /** The kebab-case names of the entry type's properties: what the binder would bind. */
    static Set<String> known(Class<?> entryType) {
        Set<String> out = new TreeSet<>();
        for (PropertyDescriptor p : BeanUtils.getPropertyDescriptors(entryType)) {
            if (p.getWriteMethod() != null) out.add(dashed(p.getName()));
        }
        return out;
    }

    private static String uniform(String key) {
        return key.replace("-", "").toLowerCase(Locale.ROOT);
    }

    private static String dashed(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The known key that starts with {@code key}, or else the one within edit distance 2, if there is one. */
    private static @Nullable String closest(String key, Set<String> known) {
        for (String k : known) if (k.startsWith(key)) return k;
        @Nullable String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Optimal string alignment distance (Levenshtein plus adjacent transpositions: restrat → restart is 1). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
