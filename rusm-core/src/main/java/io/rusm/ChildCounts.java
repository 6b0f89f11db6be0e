package io.rusm;

/**
 * OTP's {@code count_children}: how many children a supervisor has, as of the call.
 *
 * @param specs       child specs (1 for a simple-one-for-one supervisor: its template)
 * @param active      children running now
 * @param supervisors children that are supervisors, running or not
 * @param workers     children that are workers, running or not
 */
public record ChildCounts(int specs, int active, int supervisors, int workers) {}
