import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { restoreSession } from '@/auth'
import { useSessionStore } from '@/stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean
    /** Administrators only. */
    admin?: boolean
    /** i18n key of the page title. */
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: 'auth.login' } },
  {
    path: '/register',
    name: 'register',
    component: () => import('@/views/RegisterView.vue'),
    meta: { public: true, title: 'auth.register' },
  },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('@/views/DashboardView.vue'), meta: { title: 'menu.dashboard' } },
      { path: 'projects', name: 'projects', component: () => import('@/views/ProjectsView.vue'), meta: { title: 'menu.projects' } },
      {
        path: 'projects/:id',
        name: 'project',
        component: () => import('@/views/ProjectView.vue'),
        props: true,
        meta: { title: 'menu.projects' },
      },
      { path: 'stats', name: 'stats', component: () => import('@/views/StatsView.vue'), meta: { title: 'menu.stats' } },
      { path: 'products', name: 'products', component: () => import('@/views/ProductsView.vue'), meta: { title: 'menu.products' } },
      {
        path: 'products/:name',
        name: 'product',
        component: () => import('@/views/ProductView.vue'),
        props: true,
        meta: { title: 'menu.products' },
      },
      { path: 'ota', name: 'campaigns', component: () => import('@/views/CampaignsView.vue'), meta: { title: 'menu.ota' } },
      {
        path: 'ota/:id',
        name: 'campaign',
        component: () => import('@/views/CampaignView.vue'),
        props: true,
        meta: { title: 'menu.ota' },
      },
      { path: 'logs/login', name: 'login-log', component: () => import('@/views/LoginLogView.vue'), meta: { title: 'menu.loginLog' } },
      { path: 'account', name: 'account', component: () => import('@/views/AccountView.vue'), meta: { title: 'menu.account' } },
      { path: 'users', name: 'users', component: () => import('@/views/UsersView.vue'), meta: { admin: true, title: 'menu.users' } },
      { path: 'dicts', name: 'dicts', component: () => import('@/views/DictsView.vue'), meta: { admin: true, title: 'menu.dicts' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { title: 'common.notFound' } },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  const session = useSessionStore()
  const signedIn = session.signedIn || (await restoreSession())
  if (to.meta.public) {
    if (signedIn) return { name: 'dashboard' }
    return true
  }
  if (!signedIn) {
    // The home page needs no ?redirect=.
    const home = to.name === 'dashboard' && to.fullPath === '/'
    return { name: 'login', query: home ? {} : { redirect: to.fullPath } }
  }
  if (to.meta.admin && !session.isAdmin) return { name: 'dashboard' }
  return true
})
