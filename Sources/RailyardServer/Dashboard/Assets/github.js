// The page GitHub sign-in ends on (?next=dashboard): keep the session token as the login form does,
// then open the dashboard in place of this page.
const token = document.querySelector('meta[name="railyard-token"]')?.content;
if (token) sessionStorage.setItem('railyard.token', token);
location.replace(token ? '/#/' : '/#/login');
