import { randomBytes } from "node:crypto"

/**
 * Bill.com sessions (§1.3): valid only with the devKey that created them, expire after an idle
 * period (35 minutes, sliding: every call resets the timer), invalidated by logout. Idle time is
 * measured on the real clock so tests can use a short idle period.
 */
export interface Session {
  readonly id: string
  readonly devKey: string
  readonly organizationId: string
  readonly userId: string
  lastUsed: number
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>()
  constructor(private readonly idleMs: number) {}

  create(devKey: string, organizationId: string, userId: string): Session {
    const session: Session = {
      id: randomBytes(24).toString("base64url"),
      devKey,
      organizationId,
      userId,
      lastUsed: Date.now()
    }
    this.sessions.set(session.id, session)
    return session
  }

  /** The live session for this id + devKey, touched; undefined when missing, expired or mismatched. */
  touch(id: string | undefined, devKey: string | undefined): Session | undefined {
    if (id === undefined || devKey === undefined) return undefined
    const session = this.sessions.get(id)
    if (session === undefined || session.devKey !== devKey) return undefined
    const now = Date.now()
    if (now - session.lastUsed > this.idleMs) {
      this.sessions.delete(id)
      return undefined
    }
    session.lastUsed = now
    return session
  }

  invalidate(id: string): boolean {
    return this.sessions.delete(id)
  }

  /** Expire every session (control API: simulate a mass expiry). */
  expireAll(): number {
    const n = this.sessions.size
    this.sessions.clear()
    return n
  }

  get size(): number {
    return this.sessions.size
  }
}
