import Type from 'typebox';

/** Why the desktop shows no softphone. */
export const SOFTPHONE_OFF_REASONS = [
  'disabled',            // softphone.enabled is off
  'not_configured',      // enabled, but no wssUrl or no seatSecretsFile
  'no_seat',             // the agent has no seat
  'seat_taken',          // another agent is logged in at that seat
  'no_secret',           // the seat is not a browser seat (not in the seats CSV): a desk phone seat
  'secrets_unreadable',  // the seats CSV is missing or cannot be read
  'secrets_malformed',   // the seats CSV is not the format gen-seats writes
] as const;

export type SoftphoneOffReason = (typeof SOFTPHONE_OFF_REASONS)[number];

export const SoftphoneOn = Type.Object({
  enabled: Type.Literal(true),
  wssUrl: Type.String(),
  uri: Type.String(),
  seat: Type.String(),
  authorizationUsername: Type.String(),
  password: Type.String(),
  /** The sip.js module to import (versioned URL, cached for good). */
  sipJs: Type.String(),
}, { additionalProperties: false });

export const SoftphoneOff = Type.Object({
  enabled: Type.Literal(false),
  reason: Type.Enum([...SOFTPHONE_OFF_REASONS]),
  seat: Type.Optional(Type.String()),
}, { additionalProperties: false });

export const SoftphoneReply = Type.Union([SoftphoneOn, SoftphoneOff]);
