import type { Project, ProjectRole } from '@/api/types'

export const PROJECT_ROLES: ProjectRole[] = ['owner', 'maintainer', 'viewer']

export const ROLE_COLORS: Record<string, string> = { owner: 'gold', maintainer: 'blue', viewer: 'default', admin: 'red' }

/** canManage: owners and administrators edit a project and its members. */
export function canManage(p: Project | null, isAdmin: boolean): boolean {
  return isAdmin || p?.myRole === 'owner'
}

/** canPublish: owners, maintainers and administrators change resources. */
export function canPublish(p: Project | null, isAdmin: boolean): boolean {
  return isAdmin || p?.myRole === 'owner' || p?.myRole === 'maintainer'
}
